// The demo's end-to-end check, and the README screenshot: two people (alice, bob) in headless
// Chromium on the running demo page, chatting with the bot.
//
//   node scripts/smoke.mjs PAGE_URL [SCREENSHOT.png]     (scripts/demo.sh --smoke runs it)
//
// Checks: the page connects; the bot shows up in "online"; alice's messages get "delivered"
// (the server acked the broadcast) and the bot answers them; bob joins and alice sees him;
// bob's typing shows on alice's page. Then it saves alice's page as a PNG, and checks the
// status across a dropped connection and (with DEMO_SERVER_STDIN) a server restart that
// forgets all sessions, after which the bot must still answer in #general; last, bob closes
// his tab and leaves alice's list.
// Uses Debian's /usr/bin/chromium (CHROMIUM=… to change it); nothing downloads a browser.
import { appendFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [pageUrl, screenshot] = process.argv.slice(2);
// The bundled server's stdin (a named pipe, from scripts/demo.sh), for the restart check.
const serverStdin = process.env.DEMO_SERVER_STDIN;
if (!pageUrl) {
  console.error("usage: node scripts/smoke.mjs PAGE_URL [SCREENSHOT.png]");
  process.exit(2);
}

const withParams = (params) => {
  const url = new URL(pageUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
};

const step = (text) => console.log(`smoke: ${text}`);
const errors = [];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
  ],
});

/** A person: their own browser context (own sessionStorage), on the demo page. */
async function open(name, viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`${name}: ${e}`));
  page.on("console", (m) => {
    // refused connections while the server restarts are expected
    if (m.type() === "error" && !/ERR_CONNECTION_REFUSED|WebSocket connection to/.test(m.text())) {
      errors.push(`${name}: console: ${m.text()}`);
    }
  });
  await page.goto(withParams({ name }));
  await page.locator('#status[data-status="connected"]').waitFor({ timeout: 15000 });
  return page;
}

/** Sends `text` from `page` and waits until it is marked delivered. */
async function send(page, text) {
  await page.fill("#message", text);
  await page.click("#send");
  const mine = page.locator(".msg.mine", { hasText: text }).last();
  await mine.locator(".delivery.delivered").waitFor({ timeout: 10000 });
}

/** Waits for a message from `user` containing `text` on `page`. */
async function expectMessage(page, user, text) {
  await page.locator(`.msg[data-user="${user}"]`, { hasText: text }).last().waitFor({ timeout: 10000 });
}

let ok = false;
try {
  const alice = await open("alice", { width: 1100, height: 700 });
  step("alice connected");
  await alice.locator('#online li[data-user="bot"]').waitFor({ timeout: 15000 });
  step("the bot is online in #general");
  await expectMessage(alice, "bot", "welcome, alice");
  step("the bot welcomed alice");

  await send(alice, "hi @bot, are you there?");
  step('alice: "hi @bot, are you there?" delivered');
  await expectMessage(alice, "bot", "hi alice!");
  step("the bot answered");

  await send(alice, "!time");
  await expectMessage(alice, "bot", "UTC");
  step('alice: "!time" delivered, the bot answered with the time');

  const bob = await open("bob", { width: 900, height: 600 });
  await alice.locator('#online li[data-user="bob"]').waitFor({ timeout: 10000 });
  await bob.locator('#online li[data-user="alice"]').waitFor({ timeout: 10000 });
  step("bob joined: alice sees bob, bob sees alice (presence)");
  await expectMessage(alice, "bot", "welcome, bob");

  await send(bob, "morning all! what can the bot do?");
  await expectMessage(alice, "bob", "morning all");
  step("bob's message reached alice");

  await send(alice, "!help");
  await expectMessage(alice, "bot", "!echo");

  // bob starts typing and stops before sending: alice sees "bob is typing"
  await bob.locator("#message").pressSequentially("let me try !echo", { delay: 20 });
  await alice.locator("#typing", { hasText: "bob is typing" }).waitFor({ timeout: 5000 });
  step("alice sees 'bob is typing'");

  if (screenshot) {
    await alice.screenshot({ path: screenshot });
    step(`screenshot: ${screenshot}`);
  }

  // bob stopped typing: the indicator expires (3 s after his last "typing")
  await alice.locator("#typing", { hasText: "bob is typing" }).waitFor({ state: "detached", timeout: 5000 });
  step("'bob is typing' expired");

  // The server drops alice's transport: the status shows it, the session is recovered.
  await alice.click("text=simulate a network drop");
  await alice.locator('#status[data-status="reconnecting"]').waitFor({ timeout: 5000 });
  await alice.locator('#status[data-status="connected"]').waitFor({ timeout: 10000 });
  step("network drop: alice went reconnecting → connected");

  // A server restart that forgets every session: nobody is recovered, so the clients must
  // re-join their rooms by themselves — the bot included, which never calls join again.
  if (serverStdin) {
    appendFileSync(serverStdin, JSON.stringify({ cmd: "restart", down_ms: 1500, forget_sessions: true }) + "\n");
    await alice.locator('#status[data-status="reconnecting"]').waitFor({ timeout: 5000 });
    step("server restarting: alice shows reconnecting");
    await alice.locator('#status[data-status="connected"]').waitFor({ timeout: 15000 });
    // The bot reconnects on its own backoff schedule, possibly after alice: until it is back in
    // #general a message to the room does not reach it, so ask again until it answers.
    const pongs = alice.locator('.msg[data-user="bot"]', { hasText: "pong" });
    const before = await pongs.count();
    let answered = false;
    for (let attempt = 0; attempt < 8 && !answered; attempt++) {
      await send(alice, "!ping");
      answered = await pongs
        .nth(before)
        .waitFor({ timeout: 2500 })
        .then(() => true, () => false);
    }
    if (!answered) throw new Error("the bot did not answer !ping after the restart");
    step("server restarted without sessions: alice reconnected, the bot re-joined #general by itself and answered !ping");
  }

  // rooms: alice moves to #random (bob sees her leave #general), talks there, comes back
  await alice.click('button[data-room="random"]');
  await bob.locator('#online li[data-user="alice"]').waitFor({ state: "detached", timeout: 5000 });
  await send(alice, "anyone in here?");
  if ((await alice.locator("#online li").count()) !== 1) throw new Error("#random should hold alice only");
  await alice.click('button[data-room="general"]');
  await alice.locator('#online li[data-user="bot"]').waitFor({ timeout: 5000 });
  await bob.locator('#online li[data-user="alice"]').waitFor({ timeout: 5000 });
  step("rooms: alice went to #random and back; presence followed her");

  // bob closes his tab: his "leave" (sent on pagehide) takes him off alice's list
  await bob.close({ runBeforeUnload: true });
  await alice.locator('#online li[data-user="bob"]').waitFor({ state: "detached", timeout: 5000 });
  step("bob closed his tab: alice sees him leave");
  if (errors.length > 0) throw new Error(`errors on the page:\n  ${errors.join("\n  ")}`);
  ok = true;
} catch (error) {
  console.error(`smoke: FAILED: ${error.message}`);
} finally {
  await browser.close();
}
step(ok ? "ok" : "failed");
process.exit(ok ? 0 : 1);
