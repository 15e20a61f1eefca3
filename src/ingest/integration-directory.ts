import type { Config, Integration } from '../config/types.js';
import { AppError, notFound } from '../errors.js';
import { pushPathOf } from './push-path.js';

/** Finds integrations by key (pushes) and by id (the API); rebuilt when the configuration changes. */
export class IntegrationDirectory {
  private byKey = new Map<string, Integration>();
  private byId = new Map<string, Integration>();

  constructor(config: Config) {
    this.update(config);
  }

  update(config: Config): void {
    // An email integration without a key has '' and takes no pushes.
    this.byKey = new Map(
      config.integrations
        .filter((integration) => integration.key !== '')
        .map((integration) => [integration.key, integration]),
    );
    this.byId = new Map(config.integrations.map((integration) => [integration.id, integration]));
  }

  /** The configured integration with that id (enabled or not); ResourceNotFound otherwise. */
  integrationById(id: string): Integration {
    const integration = this.byId.get(id);
    if (!integration) throw notFound('integration', id);
    return integration;
  }

  /** The enabled integration owning `key`, configured for `adapter`; throws the contract's error otherwise. */
  authenticate(key: string | undefined, adapter: string): Integration {
    if (key === undefined) {
      throw new AppError(
        'Unauthorized',
        'integration_key is required: pass it as query parameter integration_key, header X-Integration-Key or Authorization: Bearer <key>',
      );
    }
    const integration = this.byKey.get(key);
    if (!integration) throw new AppError('InvalidParameter', 'integration_key is not a valid one');
    if (!integration.enabled) throw new AppError('AccessDenied', `integration ${integration.id} is disabled`);
    if (integration.adapter !== adapter) {
      throw new AppError(
        'InvalidParameter',
        `integration ${integration.id} takes ${integration.adapter} payloads: push to ${pushPathOf(integration.adapter)}, not ${pushPathOf(adapter)}`,
      );
    }
    return integration;
  }
}
