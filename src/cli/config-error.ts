/** A config file (keepalive's own or a pm2 file) that cannot be used: reported in one line, exit status 1. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
