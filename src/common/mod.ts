/**
 * Leaf module shared by every layer: structured error records (Cobre structured-output SS2) and
 * the file access contract that lets the sandbox sit under every read and write.
 *
 * It sits below `case` in the dependency order so that `case`, `engine`, `output` and the server
 * all speak the same error vocabulary without depending on each other.
 *
 * @module
 */
export * from "./error_record.ts";
export * from "./file_access.ts";
export * from "./direct_file_access.ts";
export * from "./runtime_files.ts";
export * from "./parquet_buffer.ts";
export * from "./log_levels.ts";
export * from "./json_shape.ts";
export * from "./read_range.ts";
export * from "./process_env.ts";
