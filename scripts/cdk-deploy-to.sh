#!/usr/bin/env bash
# Deploy one stack of the cfprewarm CDK app (infra/) to an account and region.
#
#   scripts/cdk-deploy-to.sh <account> <region> <stack> [cdk deploy options...]
#
# <stack> is CloudfrontDynamicAPIStack, or LambdaPrewarmStack (meaning the
# prewarm stack of <region>, LambdaPrewarmStack-<region>), or any full stack
# name the app lists (`npx cdk list` in infra/). The account and region are
# passed to the app as CDK_DEPLOY_ACCOUNT / CDK_DEPLOY_REGION, which take
# precedence over cdk.json. A prewarm stack's region comes from its entry in
# the "prewarm" context list; <region> must match it.
#
# Set CDK to another CDK CLI command if `npx cdk` is not what you want
# (e.g. CDK=cdk for a global install).
set -euo pipefail

if [[ $# -lt 3 ]]; then
	echo "usage: $0 <account> <region> <stack> [cdk deploy options...]" >&2
	echo "  stacks: CloudfrontDynamicAPIStack, LambdaPrewarmStack (= LambdaPrewarmStack-<region>)" >&2
	exit 2
fi

account=$1 region=$2 stack=$3
shift 3

if [[ ! $account =~ ^[0-9]{12}$ ]]; then
	echo "$0: account must be a 12-digit AWS account ID, got '$account'" >&2
	exit 2
fi
if [[ ! $region =~ ^[a-z]{2}(-[a-z]+)+-[0-9]$ ]]; then
	echo "$0: '$region' does not look like an AWS region (e.g. eu-central-1)" >&2
	exit 2
fi
if [[ $stack == LambdaPrewarmStack ]]; then
	stack="LambdaPrewarmStack-$region"
fi

export CDK_DEPLOY_ACCOUNT=$account
export CDK_DEPLOY_REGION=$region
# jsii (used by aws-cdk-go) warns loudly on Node.js versions past their end of life.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-}${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:+,}$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || true)"

cd "$(dirname "$0")/../infra"
echo "deploying $stack to account $account, region $region" >&2
# shellcheck disable=SC2086 # CDK may hold a command with arguments
exec ${CDK:-npx cdk} deploy "$stack" "$@"
