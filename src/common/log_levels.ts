/**
 * MCP logging levels: the RFC 5424 severities in MCP's order, least severe first. The server's
 * logger and the Flight Recorder's events share them.
 *
 * @module
 */

/** RFC 5424 severities in MCP's order, least severe first. */
export const LOG_LEVELS = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
] as const;

export type LogLevel = typeof LOG_LEVELS[number];
