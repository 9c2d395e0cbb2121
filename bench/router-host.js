/**
 * Runs one router in its own process for client.js, so that the client process's CPU time is the
 * clients' alone:
 *
 *   node bench/router-host.js <xwamp|fox>
 *
 * Prints the router's URL (or "unavailable") on one line, then serves until stdin closes.
 */
import { startFoxRouter, startXwampRouter } from "./peers.js";

const router = process.argv[2] === "fox" ? await startFoxRouter() : await startXwampRouter();
console.log(router === undefined ? "unavailable" : router.url);
process.stdin.resume();
process.stdin.on("end", async () => {
  await router?.close();
  process.exit(0);
});
