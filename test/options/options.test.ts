import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KeepaliveError, Monitor, resolveOptions, splitCommand } from '../../src/index.js';

function rejects(options: object, pattern: RegExp, script: unknown = 'app.js'): void {
  assert.throws(
    () => resolveOptions(script, options),
    (error: unknown) => error instanceof KeepaliveError && error.code === 'INVALID_OPTION' && pattern.test(error.message),
  );
}

test('defaults follow forever-monitor, with keepalive\'s deliberate differences', () => {
  const o = resolveOptions('app.js');
  assert.equal(o.command, process.execPath);
  assert.deepEqual(o.args, ['app.js']);
  assert.equal(o.killSignal, 'SIGTERM');
  assert.equal(o.killTTL, 5000);
  assert.equal(o.append, true);
  assert.equal(o.killTree, true);
  assert.equal(o.minUptime, 0);
  assert.equal(o.spinSleepTime, undefined);
  assert.equal(o.max, Infinity);
  assert.equal(o.cwd, process.cwd());
  // forever-monitor's uid: four characters of base64url, never starting with "-".
  assert.match(o.uid, /^[A-Za-z0-9_][A-Za-z0-9_-]{3}$/);
});

test('bad values are rejected with the option and the value named', () => {
  rejects({ max: 0 }, /option max: .* got 0/);
  rejects({ max: 1.5 }, /option max: .* got 1.5/);
  rejects({ minUptime: -1 }, /option minUptime: .* got -1/);
  rejects({ minUptime: '100' }, /option minUptime: .* got "100"/);
  rejects({ spinSleepTime: NaN }, /option spinSleepTime: .* got NaN/);
  rejects({ killTTL: Infinity }, /option killTTL: .* got Infinity/);
  rejects({ killSignal: 'SIGNOPE' }, /option killSignal: .* got "SIGNOPE"/);
  rejects({ silent: 'yes' }, /option silent: expected true or false, got "yes"/);
  rejects({ outFile: '' }, /option outFile: .* got ""/);
  rejects({ args: 'a b' }, /option args: .* got "a b"/);
  rejects({ args: ['ok', { port: 3 }] }, /option args\[1\]: expected a string, number or boolean without NUL characters, got \{"port":3\}/);
  rejects({ args: ['a\0b'] }, /option args\[0\]: .* got "a\\u0000b"/);
  rejects({ args: [null] }, /option args\[0\]: .* got null/);
  rejects({ options: ['x'], args: ['y'] }, /options and args given together/);
  rejects({ parser: 'split' }, /option parser: expected a function/);
  rejects({ parser: () => false }, /option parser: expected it to return \{ command, args \}, got false/);
  rejects({ parser: () => ({ command: '', args: [] }) }, /option parser\(\)\.command: .* got ""/);
  rejects({ parser: () => { throw new Error('no'); } }, /option parser threw: no/);
  rejects({ env: { A: { b: 1 } } }, /option env\.A: .* got \{"b":1\}/);
  rejects({ stopExitCodes: [256] }, /option stopExitCodes\[0\]: .* got 256/);
  rejects({ maxSpinSleepTime: 1000 }, /option maxSpinSleepTime: .* spinSleepTime > 0/);
  rejects({ spinSleepTime: 500, maxSpinSleepTime: 100 }, /option maxSpinSleepTime: .* >= spinSleepTime \(500\)/);
  rejects({ spawnWith: { shell: true } }, /option spawnWith\.shell: true is refused: keepalive never runs a shell/);
  rejects({ spawnWith: { detached: false } }, /option spawnWith: "detached" is not allowed/);
  rejects({ minUpTime: 5 }, /unknown option "minUpTime" \(did you mean minUptime\?\)/);
  rejects({}, /script: expected a path or an array/, '');
  rejects({}, /script: expected a path or an array/, []);
  assert.throws(() => new Monitor('app.js', { max: -3 }), /option max: expected a whole number >= 1, got -3/);
});

test("forever-monitor's command line: numbers as arguments, the command as given, parser on an array script", () => {
  const numeric = resolveOptions([process.execPath, 'app.js', 8090], { args: [false] });
  assert.deepEqual([numeric.command, numeric.args], [process.execPath, ['app.js', '8090', 'false']]);
  const flagged = resolveOptions('app.js', { command: 'node --expose-gc', args: ['-p', 1] });
  assert.deepEqual([flagged.command, flagged.args], ['node', ['--expose-gc', 'app.js', '-p', '1']]);
  assert.deepEqual([flagged.commandAsGiven, flagged.scriptArgs], ['node --expose-gc', ['app.js', '-p', '1']]);
  const seen: unknown[] = [];
  const parsed = resolveOptions(['perl', '-le', 'print 1'], {
    parser: (command: string, args: string[]) => (seen.push(command, args), { command: `/usr/bin/${command}`, args: ['-w', ...args] }),
  });
  assert.deepEqual(seen, ['perl', ['-le', 'print 1']]);
  assert.deepEqual([parsed.command, parsed.args], ['/usr/bin/perl', ['-w', '-le', 'print 1']]);
  assert.throws(() => resolveOptions(['perl', { a: 1 }]), /script\[1\]: expected a string, number or boolean/);
});

test('rotation options: sizes and ages with units, and rotation only where keepalive writes the files', () => {
  const o = resolveOptions('app.js', { outFile: 'out.log', maxLogSize: '10M', maxLogAge: '7d', compressLogs: true });
  assert.equal(o.maxLogSize, '10M');
  assert.equal(o.maxLogFiles, 10);
  assert.equal(o.maxLogAge, '7d');
  rejects({ maxLogSize: '10' }, /option maxLogSize: expected a size with a unit, such as "10M".*got "10"/);
  rejects({ maxLogSize: 10_485_760 }, /option maxLogSize: .*got 10485760/);
  rejects({ maxLogSize: '1M', maxLogFiles: 0 }, /option maxLogFiles: expected a whole number >= 1, got 0/);
  rejects({ maxLogSize: '1M', maxLogAge: '7' }, /option maxLogAge: expected an age above 0 with a unit.*got "7"/);
  rejects({ maxLogSize: '1M', maxLogAge: '0d' }, /option maxLogAge: .*got "0d"/);
  rejects({ maxLogSize: '1M', maxLogAge: 604_800_000 }, /option maxLogAge: .*got 604800000/);
  rejects({ maxLogSize: '1M', unmovableLogs: true }, /option unmovableLogs: expected false with maxLogSize .*got true/);
  rejects({ maxLogAge: '7d' }, /option maxLogAge: expected to be used with maxLogSize/);
  rejects({ compressLogs: true }, /option compressLogs: expected to be used with maxLogSize/);
});

test('signal names are accepted in any usual spelling', () => {
  assert.equal(resolveOptions('a.js', { killSignal: 'int' }).killSignal, 'SIGINT');
  assert.equal(resolveOptions('a.js', { killSignal: 'SIGHUP' }).killSignal, 'SIGHUP');
  assert.equal(resolveOptions('a.js', { killSignal: 9 }).killSignal, 9);
});

test("the caller's objects and arrays are never changed", () => {
  const args = ['--port', '80'];
  const env = { A: 'b' };
  const hideEnv = ['SECRET'];
  const options = Object.freeze({ args: Object.freeze(args), env: Object.freeze(env), hideEnv: Object.freeze(hideEnv), sourceDir: '/srv' });
  const script = Object.freeze(['node', 'x.js']);
  const first = new Monitor('app.js', options);
  new Monitor(script, options);
  assert.deepEqual(args, ['--port', '80']);
  assert.deepEqual(first.options.args, ['/srv/app.js', '--port', '80']);
});

test('command may carry flags; an array script is [command, ...args]', () => {
  const o = resolveOptions('app.js', { command: 'node --expose-gc', args: ['x'] });
  assert.equal(o.command, 'node');
  assert.deepEqual(o.args, ['--expose-gc', 'app.js', 'x']);
  const a = resolveOptions(['/bin/echo', 'hi'], { args: ['there'] });
  assert.equal(a.command, '/bin/echo');
  assert.deepEqual(a.args, ['hi', 'there']);
  assert.deepEqual(splitCommand('my\\ node  -a'), ['my node', '-a']);
});
