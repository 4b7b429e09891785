/**
 * `liaison providers import FILE.csv`: a provider list in CSV (DESIGN.md §7)
 * printed as the YAML it stands for, to paste into a config or to review
 * what `providers_csv:` will load. A bad row exits non-zero naming the
 * file, the line and the column.
 */
import type { Command } from "commander";
import { providersCsvYaml, ProvidersCsvError, readProvidersCsv } from "../config/providers-csv.js";

export interface ProvidersIo {
  out: (text: string) => void;
  err: (text: string) => void;
  exitCode: (code: number) => void;
}

const PROCESS_IO: ProvidersIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  exitCode: (code) => void (process.exitCode = code),
};

/** Reads `file` and prints its YAML. */
export function importProviders(file: string, io: ProvidersIo = PROCESS_IO): void {
  try {
    io.out(providersCsvYaml(readProvidersCsv(file), file));
  } catch (err) {
    if (!(err instanceof ProvidersCsvError)) throw err;
    io.err(`${err.message}\n`);
    io.exitCode(1);
  }
}

export function registerProviderCommands(program: Command, io: ProvidersIo = PROCESS_IO): void {
  const providers = program.command("providers").description("work with provider lists");
  providers
    .command("import")
    .argument("<file>", "the provider list (CSV)")
    .description("print a CSV provider list (provider_name,primary_url,secondary_url,api_key_env,timeout,max_requests_per_minute,cost_per_1k_tokens,priority[,type,models]) as config YAML")
    .action((file: string) => importProviders(file, io));
}
