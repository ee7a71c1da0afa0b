// The floor under any node watchdog's restart: child_process.spawn of a program, N times in a
// row, each started when the last one exited. Prints the milliseconds per run.
import { spawn } from 'node:child_process';

const [program, runs] = [process.argv[2], Number(process.argv[3])];
const started = performance.now();
let done = 0;
function next() {
  if (done === runs) {
    process.stdout.write(`${(performance.now() - started) / runs}\n`);
    return;
  }
  done += 1;
  spawn(program, [], { stdio: 'ignore', detached: true }).once('exit', next);
}
next();
