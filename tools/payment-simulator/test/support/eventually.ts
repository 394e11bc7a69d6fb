export { eventually } from '@orderflow/testkit';
