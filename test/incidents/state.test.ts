import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveIncidentState, type IncidentSnapshot } from '../../src/incidents/state.js';

const incident: IncidentSnapshot = {
  incident_severity: 'Critical',
  incident_status: 'Critical',
  progress: 'Triggered',
  end_time: null,
  close_time: null,
};
const stateCases = [
  {
    name: 'active alerts: severity highest of all, status highest of active',
    summary: {
      alertCount: 2,
      activeCount: 1,
      severities: ['Critical', 'Info'] as const,
      activeSeverities: ['Info'] as const,
    },
    autoClose: true,
    expect: { incident_severity: 'Critical', incident_status: 'Info', progress: 'Triggered', timeline: [] },
  },
  {
    name: 'all recovered with auto-close → Closed',
    summary: { alertCount: 1, activeCount: 0, severities: ['Warning'] as const, activeSeverities: [] },
    autoClose: true,
    expect: { incident_status: 'Ok', progress: 'Closed', close_time: 99, end_time: 99, timeline: ['i_rslv'] },
  },
  {
    name: 'all recovered without auto-close → recovered, still open',
    summary: { alertCount: 1, activeCount: 0, severities: ['Warning'] as const, activeSeverities: [] },
    autoClose: false,
    expect: { incident_status: 'Ok', progress: 'Triggered', close_time: null, end_time: 99, timeline: ['i_recover'] },
  },
];
for (const item of stateCases) {
  test(`incident state: ${item.name}`, () => {
    const update = deriveIncidentState(
      incident,
      {
        ...item.summary,
        severities: [...item.summary.severities],
        activeSeverities: [...item.summary.activeSeverities],
        lastEndTime: null,
      },
      item.autoClose,
      99,
    );
    for (const [key, value] of Object.entries(item.expect))
      assert.deepEqual(update[key as keyof typeof update], value, key);
  });
}
