import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import t from 'tap';
import { useTestServers } from '@orderflow/testkit';
import { startTestApi } from './support.js';

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH points elsewhere. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the screenshot is kept (git-ignored). */
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));
/** Flags for a root, network-less machine: no sandbox, no calls home. */
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// CI installs Chromium and sets ORDERFLOW_REQUIRE_BROWSER=1, so there it can never be skipped.
const missing = !existsSync(CHROMIUM) && process.env.ORDERFLOW_REQUIRE_BROWSER !== '1';
t.test(
  'Swagger UI at /docs shows the create-order operation and its request schema',
  { skip: missing ? `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)` : false },
  async (t) => {
    const servers = await useTestServers(t);
    const api = await startTestApi(t, servers);
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    t.teardown(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });

    await page.goto(`${api.base}/docs`);
    const create = page.locator('.opblock-post', {
      has: page.locator('.opblock-summary-path', { hasText: /^\/orders$/ }),
    });
    await create.locator('.opblock-summary').first().click();
    await create.locator('.opblock-body').waitFor();
    // The request body: its "Schema" tab shows the model with every field.
    await create.getByRole('tab', { name: 'Schema' }).first().click();
    const model = create.locator('.model-box').first();
    await model.waitFor();
    for (const expander of await create.locator('.model-box .model-toggle.collapsed').all()) await expander.click();
    const text = await model.innerText();
    for (const field of ['customer_id', 'items', 'total', 'priority', 'notes']) {
      t.match(text, field, `the schema shows ${field}`);
    }
    t.match(await create.locator('.opblock-summary-description').first().innerText(), /Create an order/);

    await mkdir(ARTIFACTS, { recursive: true });
    const screenshot = `${ARTIFACTS}docs-create-order.png`;
    await page.screenshot({ path: screenshot, fullPage: true });
    t.ok(existsSync(screenshot), `screenshot kept at ${screenshot}`);
  },
);
