# Source this file (bash): a local Pulumi setup with no Pulumi Cloud account, for tests and the demo.
#   source scripts/pulumi/local-env.sh [--cli-only]
# - puts pulumi, pulumi-language-nodejs and pulumi-resource-pulumi-nodejs first on PATH (scripts/pulumi-cli.sh,
#   which builds them once per machine; options are passed through);
# - PULUMI_BACKEND_URL=file://<repo>/.state/pulumi: stack state in the git-ignored .state/ (no `pulumi login`);
# - PULUMI_CONFIG_PASSPHRASE: a fixed, public TEST passphrase (encrypts stack secrets in that local state);
#   CLOUDPC_PULUMI_PASSPHRASE overrides it. Never use it for stacks that hold real secrets;
# - PULUMI_SKIP_UPDATE_CHECK / PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: no network look-up for a newer CLI, and
#   no Automation API refusal when the CLI is not the SDK's exact version.
# Only this shell is changed: nothing is written to ~/.pulumi/credentials.json (no `pulumi login`).
_cloudpc_pulumi_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if source "$_cloudpc_pulumi_root/scripts/pulumi-cli.sh" "$@"; then
  mkdir -p "$_cloudpc_pulumi_root/.state/pulumi"
  export PULUMI_BACKEND_URL="file://$_cloudpc_pulumi_root/.state/pulumi"
  export PULUMI_CONFIG_PASSPHRASE="${CLOUDPC_PULUMI_PASSPHRASE:-cloudpc-local-test-passphrase}"
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK=true
  unset _cloudpc_pulumi_root
else
  unset _cloudpc_pulumi_root
  return 1 2>/dev/null || exit 1
fi
