import type { Config, Integration } from '../config/types.js';
import { mailboxAddress } from './settings.js';

/** Email integrations by address (`<prefix>@<smtp.domain>`, lower case); rebuilt when the configuration changes. */
export class Mailboxes {
  private byAddress = new Map<string, Integration>();

  constructor(config: Config) {
    this.update(config);
  }

  update(config: Config): void {
    const domain = config.smtp?.domain;
    this.byAddress = new Map(
      domain === undefined
        ? []
        : config.integrations.flatMap((integration) =>
            integration.email ? [[mailboxAddress(integration.email.prefix, domain), integration] as const] : [],
          ),
    );
  }

  /** The integration receiving mail at `address` (case-insensitive), enabled or not; undefined for none. */
  find(address: string): Integration | undefined {
    return this.byAddress.get(address.trim().toLowerCase());
  }

  /** Every configured address, sorted: what start-up prints. */
  addresses(): string[] {
    return [...this.byAddress.keys()].sort();
  }
}
