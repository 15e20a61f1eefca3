import {
  compileMapping,
  defaultMappingLimits,
  type CompiledMapping,
  type MappingLimits,
} from '../../adapters/mapping.js';
import type { WebhookBody } from '../webhook-body.js';

/*
 * A receiver's `template`: a JSONata expression over the webhook body whose result is the request body. It is an
 * adapter mapping in all but direction, so it is compiled and evaluated by the same code: shared functions, no
 * `$now`/`$millis`/`$random` (a retried delivery must send the same body), bounded depth, time and output size.
 * `$receivedAt` is the change's `event_time`.
 */

/** The adapters' bounds; a template produces one body, so the event count only guards against a runaway array. */
const templateLimits: MappingLimits = { ...defaultMappingLimits, maxEvents: 10_000 };

const compiled = new Map<string, CompiledMapping>();

/**
 * Compiles a receiver template once (later calls with the same source return the cached one). `where` names it in
 * errors (`webhooks[2].template`). Throws MappingCompileError `where:line:column: JSONata CODE: message` on a syntax
 * error or an impure call: call it at config load so a bad template stops the load, not a delivery.
 */
export function compileReceiverTemplate(source: string, where: string): CompiledMapping {
  const cached = compiled.get(source);
  if (cached) return cached;
  const template = compileMapping(source, where, templateLimits);
  compiled.set(source, template);
  return template;
}

/** The template's result for one body; undefined when it yields nothing (then nothing is sent for this change). */
export async function evaluateTemplate(
  template: CompiledMapping,
  body: WebhookBody,
  receiverId: string,
): Promise<unknown> {
  const bytes = Buffer.byteLength(JSON.stringify(body));
  const bindings = { receivedAt: body.event_time, integration: { id: receiverId, name: receiverId } };
  const { output } = await template.evaluate(body, bindings, bytes);
  return output;
}
