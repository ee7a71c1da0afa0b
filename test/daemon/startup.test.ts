import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startupText } from '../../src/daemon/startup.js';
import { runBin } from '../helpers/bin.js';

const settings = { user: 'me', home: '/home/me/.keepalive', keepalive: ['/usr/bin/node', '/opt/keepalive/bin/keepalive.js'] };

test('startup: a system unit runs resurrect at boot as the user, and stop all when it stops', () => {
  const text = startupText({ ...settings, systemd: true, userUnit: false });
  const unit = text.split('\n').filter((line) => !line.startsWith('#'));
  assert.deepEqual(unit, [
    '[Unit]', 'Description=keepalive: the saved apps (keepalive resurrect)', 'After=network.target', '',
    '[Service]', 'Type=oneshot', 'RemainAfterExit=yes', 'User=me', 'Environment=KEEPALIVE_HOME=/home/me/.keepalive',
    'ExecStart=/usr/bin/node /opt/keepalive/bin/keepalive.js resurrect', 'ExecStop=/usr/bin/node /opt/keepalive/bin/keepalive.js stop all',
    'TimeoutStartSec=120', 'TimeoutStopSec=120', '', '[Install]', 'WantedBy=multi-user.target', '',
  ]);
  assert.match(text, /^# {3}keepalive startup \| sudo tee \/etc\/systemd\/system\/keepalive-me\.service$/m);
});

test('startup --user: a user unit wanted by default.target, with the note on lingering', () => {
  const text = startupText({ ...settings, systemd: true, userUnit: true });
  assert.match(text, /^WantedBy=default\.target$/m);
  assert.doesNotMatch(text, /^User=/m);
  assert.match(text, /^# {3}sudo loginctl enable-linger me$/m);
  assert.match(text, /^# {3}systemctl --user daemon-reload && systemctl --user enable keepalive\.service$/m);
});

test('startup without systemd: the @reboot crontab line', () => {
  const text = startupText({ ...settings, home: "/home/o'neil/ka", systemd: false, userUnit: false });
  assert.equal(text.split('\n').filter((line) => !line.startsWith('#')).join('\n'),
    "@reboot KEEPALIVE_HOME='/home/o'\\''neil/ka' /usr/bin/node /opt/keepalive/bin/keepalive.js resurrect >> '/home/o'\\''neil/ka/logs/resurrect.log' 2>&1\n");
});

test('startup through the bin prints a unit or a crontab line that runs this keepalive; bad input is one line', async () => {
  const run = runBin(['startup', '--user']);
  assert.equal((await run.exited).code, 0);
  assert.match(run.stdout(), /(ExecStart|@reboot).* \S*bin\/keepalive\.js resurrect/);
  const bad = runBin(['startup', '--system']);
  assert.equal((await bad.exited).code, 2);
  assert.equal(bad.stderr(), 'keepalive: startup: unexpected "--system"; only --user (see keepalive --help)\n');
});
