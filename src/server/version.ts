/** The version this server reports in `initialize` (`serverInfo.version`). */
export const COBRE_MCP_VERSION = "0.1.0";
