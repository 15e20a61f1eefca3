import express, { type Request, type Response } from 'express';
import { AppError } from '../errors.js';
import { assertJsonDepth } from '../json-depth.js';
import { bodyParserError } from './errors.js';

type Parser = (req: Request, res: Response, next: (error?: unknown) => void) => void;

/** Runs a body-parser middleware as a promise, mapping its failures to the contract's errors. */
export function runParser(parser: Parser, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    parser(req, res, (error?: unknown) => {
      if (error) reject(bodyParserError(error) ?? error);
      else resolve();
    });
  });
}

/** For express.json's `verify`: refuses a body nested too deep before it is parsed (an AppError passes through). */
export function verifyJsonDepth(_req: unknown, _res: unknown, raw: Buffer): void {
  assertJsonDepth(raw, 'request body');
}

const jsonParsers = new Map<number, Parser>();

/** JSON parser for a given size limit, whatever the declared type (the caller checks the type first). Built once per limit. */
export function jsonParser(limitBytes: number): Parser {
  let parser = jsonParsers.get(limitBytes);
  if (!parser) {
    parser = express.json({ limit: limitBytes, type: () => true, strict: false, verify: verifyJsonDepth }) as Parser;
    jsonParsers.set(limitBytes, parser);
  }
  return parser;
}

/** Throws InvalidContentType unless the request declares JSON. */
export function requireJson(req: Request): void {
  const type = req.get('content-type');
  if (!type || !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type.trim())) {
    throw new AppError('InvalidContentType', `Content-Type must be application/json, got ${type ? JSON.stringify(type) : 'none'}`);
  }
}
