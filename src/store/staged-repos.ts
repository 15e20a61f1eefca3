import type { Kysely } from 'kysely';
import { AlertsRepo, type AlertIdentity, type AlertRow, type ClaimedKey } from './alerts-repo.js';
import { alertPairOf, NotStaged, openKeyOf, type BatchStage } from './batch-stage.js';
import { DeliveriesRepo } from './deliveries-repo.js';
import {
  IncidentsRepo,
  summaryOfTallies,
  type AlertSummary,
  type AlertTally,
  type IncidentJoin,
  type IncidentRow,
} from './incidents-repo.js';
import { assembleRepos, type Repos } from './repos.js';
import type { AlertKeysTable, Database, GroupMethodCode } from './tables.js';

/*
 * The repositories of a PostgreSQL worker batch: what the pipeline's stages read and write about alerts, incidents
 * and alert keys stays in the batch's memory (BatchStage) and reaches the tables when the batch flushes, so an event
 * costs no round trip of its own and needs no savepoint. What is not staged throws NotStaged; the batch then does
 * that event again with `direct` set, when every method is the plain repository's.
 */

class StagedAlertsRepo extends AlertsRepo {
  constructor(
    db: Kysely<Database>,
    private readonly stage: BatchStage,
  ) {
    super(db, 'postgres', true);
  }

  override async claimAlertKey(key: AlertIdentity, eventId: string): Promise<ClaimedKey> {
    if (this.stage.direct) return super.claimAlertKey(key, eventId);
    if (!this.stage.keys.has(key))
      this.stage.keys.adopt(key, await this.stage.lockOne<AlertKeysTable>('alert_keys', { ...keyOf(key) }));
    return this.stage.keys.claim(key, eventId);
  }

  override async updateAlertKey(key: AlertIdentity, changes: Partial<ClaimedKey['state']>): Promise<void> {
    if (this.stage.direct) return super.updateAlertKey(key, changes);
    if (!this.stage.keys.update(key, changes)) throw new NotStaged('updateAlertKey');
  }

  override async findOpenAlert(key: AlertIdentity): Promise<AlertRow | undefined> {
    if (this.stage.direct) return super.findOpenAlert(key);
    const open = await this.openAlertsOfKey(key.integration_id, key.alert_key);
    return open.find((row) => row.channel_id === key.channel_id);
  }

  override async openAlertsOfKey(integrationId: string, alertKey: string): Promise<AlertRow[]> {
    if (this.stage.direct) return super.openAlertsOfKey(integrationId, alertKey);
    await this.stage.loadPair(integrationId, alertKey);
    const pair = alertPairOf({ integration_id: integrationId, alert_key: alertKey });
    return this.stage.alerts.find(pair).filter((row) => row.is_open === 1);
  }

  override async insertAlert(row: AlertRow): Promise<void> {
    if (this.stage.direct) return super.insertAlert(row);
    this.stage.alerts.insert(row);
  }

  override async updateAlert(alertId: string, changes: Partial<AlertRow>): Promise<void> {
    if (this.stage.direct) return super.updateAlert(alertId, changes);
    if (!this.stage.alerts.update(alertId, changes)) throw new NotStaged('updateAlert');
  }

  override async idleOpenAlerts(integrationId: string, before: number, limit: number): Promise<AlertRow[]> {
    this.mustBeDirect('idleOpenAlerts');
    return super.idleOpenAlerts(integrationId, before, limit);
  }

  override async closeAlertsOfIncident(incidentId: string, now: number): Promise<number> {
    this.mustBeDirect('closeAlertsOfIncident');
    return super.closeAlertsOfIncident(incidentId, now);
  }

  override async reopenAlertsOfIncident(incidentId: string, now: number): Promise<number> {
    this.mustBeDirect('reopenAlertsOfIncident');
    return super.reopenAlertsOfIncident(incidentId, now);
  }

  override async recentOpenAlerts(channelId: string, since: number, integrationId?: string) {
    this.mustBeDirect('recentOpenAlerts');
    return super.recentOpenAlerts(channelId, since, integrationId);
  }

  override async setChannelAside(channelId: string, alertKeys: readonly string[]): Promise<void> {
    this.mustBeDirect('setChannelAside');
    return super.setChannelAside(channelId, alertKeys);
  }

  private mustBeDirect(operation: string): void {
    if (!this.stage.direct) throw new NotStaged(operation);
  }
}

class StagedIncidentsRepo extends IncidentsRepo {
  constructor(
    db: Kysely<Database>,
    private readonly stage: BatchStage,
  ) {
    super(db, 'postgres', true);
  }

  override async insertIncident(row: IncidentRow): Promise<void> {
    if (this.stage.direct) return super.insertIncident(row);
    this.stage.incidents.insert(row);
  }

  /**
   * The incident as the batch has made it. The batch never changes a row it holds in place (StagedTable), so the
   * outbox can hand it to the notifier after the commit as the change left it.
   */
  override async currentIncident(incidentId: string): Promise<IncidentRow | undefined> {
    return this.stage.incidents.get(incidentId) ?? super.currentIncident(incidentId);
  }

  override async lockIncident(incidentId: string): Promise<IncidentRow | undefined> {
    if (this.stage.direct) return super.lockIncident(incidentId);
    const held = this.stage.incidents.get(incidentId);
    if (held) return held;
    const row = await this.stage.lockOne<IncidentRow>('incidents', { incident_id: incidentId });
    return row && this.stage.lockedIncident(row);
  }

  override async openIncidentByKey(channelId: string, openKey: string): Promise<IncidentRow | undefined> {
    if (this.stage.direct) return super.openIncidentByKey(channelId, openKey);
    const lookup = openKeyOf(channelId, openKey);
    if (!this.stage.loadedOpenKeys.has(lookup)) {
      const row = await this.stage.lockOne<IncidentRow>('incidents', {
        channel_id: channelId,
        open_grouping_key: openKey,
      });
      if (row) this.stage.lockedIncident(row);
      this.stage.loadedOpenKeys.add(lookup);
    }
    return this.stage.incidents.find(lookup)[0];
  }

  override async incidentsTakingAlerts(
    channelId: string,
    groupMethod: GroupMethodCode,
    limit: number,
  ): Promise<IncidentRow[]> {
    this.mustBeDirect('incidentsTakingAlerts');
    return super.incidentsTakingAlerts(channelId, groupMethod, limit);
  }

  override async incidentSummaries(incidentIds: readonly string[]) {
    this.mustBeDirect('incidentSummaries');
    return super.incidentSummaries(incidentIds);
  }

  override async wasReopened(incidentId: string): Promise<boolean> {
    this.mustBeDirect('wasReopened');
    return super.wasReopened(incidentId);
  }

  override async updateJoinedIncident(incidentId: string, changes: IncidentJoin): Promise<void> {
    if (this.stage.direct) return super.updateJoinedIncident(incidentId, changes);
    if (!this.stage.incidents.update(incidentId, changes)) throw new NotStaged('updateJoinedIncident');
  }

  override async updateIncident(incidentId: string, changes: Partial<IncidentRow>): Promise<void> {
    if (this.stage.direct) return super.updateIncident(incidentId, changes);
    if (!this.stage.incidents.update(incidentId, changes)) throw new NotStaged('updateIncident');
  }

  /** The alerts the batch holds are counted as it sees them, the others as the table has them. */
  override async summariseIncidentAlerts(incidentId: string): Promise<AlertSummary> {
    if (this.stage.direct) return super.summariseIncidentAlerts(incidentId);
    const held = this.stage.alerts.rows().filter((row) => row.incident_id === incidentId);
    const tallies: AlertTally[] = held.map((row) => ({
      alert_severity: row.alert_severity,
      alert_status: row.alert_status,
      total: 1,
      active: row.is_open === 1 && row.alert_status !== 'Ok' ? 1 : 0,
      last_end: row.end_time,
    }));
    return summaryOfTallies([...(await this.alertTallies(incidentId, this.stage.alerts.ids())), ...tallies]);
  }

  private mustBeDirect(operation: string): void {
    if (!this.stage.direct) throw new NotStaged(operation);
  }
}

/** The outbox reads the alert of a change as the batch has made it. */
class StagedDeliveriesRepo extends DeliveriesRepo {
  constructor(
    db: Kysely<Database>,
    private readonly stage: BatchStage,
  ) {
    super(db, 'postgres');
  }

  /** The alert as the batch has made it, never changed in place afterwards (see currentIncident). */
  override async alertRow(alertId: string): Promise<AlertRow | undefined> {
    return this.stage.alerts.get(alertId) ?? super.alertRow(alertId);
  }
}

const keyOf = (key: AlertIdentity): AlertIdentity => ({
  integration_id: key.integration_id,
  channel_id: key.channel_id,
  alert_key: key.alert_key,
});

/** A PostgreSQL worker batch's repositories, staging in `stage`; `flush` writes the staged rows, then the deferred ones. */
export function bindStagedRepos(db: Kysely<Database>, stage: BatchStage): Repos {
  return assembleRepos(
    db,
    'postgres',
    {
      alerts: new StagedAlertsRepo(db, stage),
      incidents: new StagedIncidentsRepo(db, stage),
      deliveries: new StagedDeliveriesRepo(db, stage),
    },
    stage,
  );
}
