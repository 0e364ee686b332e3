// Preloaded (node --require) into the naive mode's provider processes: every runtime the process builds gets the
// naive gateway. Compiled into the benchmark's package build (scripts/bench.sh) so that the relative import below is
// the registry of the very copy of the package the serialized provider loads.
import { runtimes } from "../../provider/runtime/registry";
import { NaiveImports } from "./naive-gateway";

runtimes.options = { ...runtimes.options, gatewayFactory: (api, o) => new NaiveImports(api, o.poll, o.lookup) };
