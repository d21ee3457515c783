export { loadConfig, describeConfig, ConfigError, type Config, type ExternalServiceConfig } from './load-config.ts';
export { settings } from './settings.ts';
