import type { Request } from 'express';
import type { Config, Integration } from '../config/types.js';
import { AppError } from '../errors.js';

/** The integration_key of a push: query `integration_key`, header `X-Integration-Key`, or `Authorization: Bearer K`. */
export function integrationKeyOf(req: Request): string | undefined {
  const fromQuery = req.query.integration_key;
  if (typeof fromQuery === 'string' && fromQuery !== '') return fromQuery;
  const fromHeader = req.get('x-integration-key');
  if (fromHeader) return fromHeader.trim();
  const authorization = req.get('authorization');
  const bearer = authorization && /^Bearer\s+(.+)$/i.exec(authorization.trim());
  return bearer ? bearer[1] : undefined;
}

/** Finds integrations by key; rebuilt when the configuration changes. */
export class IntegrationDirectory {
  private byKey = new Map<string, Integration>();

  constructor(config: Config) {
    this.update(config);
  }

  update(config: Config): void {
    this.byKey = new Map(config.integrations.map((integration) => [integration.key, integration]));
  }

  /** The enabled integration owning `key`, configured for `adapter`; throws the contract's error otherwise. */
  authenticate(key: string | undefined, adapter: string): Integration {
    if (key === undefined) {
      throw new AppError('Unauthorized', 'integration_key is required: pass it as query parameter integration_key, header X-Integration-Key or Authorization: Bearer <key>');
    }
    const integration = this.byKey.get(key);
    if (!integration) throw new AppError('InvalidParameter', 'integration_key is not a valid one');
    if (!integration.enabled) throw new AppError('AccessDenied', `integration ${integration.id} is disabled`);
    if (integration.adapter !== adapter) {
      throw new AppError('InvalidParameter', `integration ${integration.id} takes ${integration.adapter} payloads: push to /event/push/alert/${integration.adapter}, not /event/push/alert/${adapter}`);
    }
    return integration;
  }
}
