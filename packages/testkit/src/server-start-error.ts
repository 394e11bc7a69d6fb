/** A server did not come up; the message carries the end of its log. */
export class ServerStartError extends Error {
  /** The server could not bind its port, so another port may work. */
  readonly addressInUse: boolean;

  constructor(message: string, addressInUse: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.addressInUse = addressInUse;
  }
}
