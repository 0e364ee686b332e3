// The unit tier's promise, enforced (npm run test:unit requires this file): no socket, no server, no child process.
// A test that needs one belongs in test/integration/ (CONTRIBUTING.md).
// Default imports: the modules themselves (a namespace import is read-only when Node loads this file as ESM).
import childProcess from "node:child_process";
import net from "node:net";

function refuse(what: string): never {
    throw new Error(`unit tests use no ${what}: move this test to test/integration/ (CONTRIBUTING.md)`);
}

net.Server.prototype.listen = function listen(): never {
    refuse("server");
};
net.Socket.prototype.connect = function connect(): never {
    refuse("network connection");
};
const cp = childProcess as unknown as Record<string, unknown>;
for (const name of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"]) {
    cp[name] = () => refuse(`child process (${name})`);
}
