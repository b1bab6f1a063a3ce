/**
 * Child process for the task crash test: creates one task in a durable task store, prints its id
 * and waits to be killed. Not a test file.
 */
import { DurableTaskStore, openJobStore } from "../../src/jobs/mod.ts";

const [stateDir, serverId] = Deno.args;
if (stateDir === undefined || serverId === undefined) {
  throw new Error("usage: hold_task_child.ts <stateDir> <serverId>");
}
const tasks = new DurableTaskStore(openJobStore({ stateDir }), { serverId });
const task = await tasks.createTask({ ttl: 60_000 }, 1, {
  method: "tools/call",
  params: { name: "test_slow", arguments: {} },
});
console.log(task.taskId);
setInterval(() => {}, 60_000);
