#!/usr/bin/env bash
# Registers the configguard process running on this machine as a validating webhook of the
# cluster your kubeconfig points at. Run `./configguard serve` first: it writes its
# certificate (the path is in its log; default below).
#   deploy/local/install.sh            # apply
#   deploy/local/install.sh --delete   # remove (do this before you stop serving)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ "${1:-}" == "--delete" ]]; then
  kubectl delete validatingwebhookconfiguration configguard-local --ignore-not-found
  exit 0
fi
cert=${CONFIGGUARD_CERT:-$here/../../target/configguard-tls/tls.crt}
[[ -r "$cert" ]] || { echo "no certificate at $cert: start ./configguard serve first, or set CONFIGGUARD_CERT" >&2; exit 2; }
export CONFIGGUARD_URL=${CONFIGGUARD_URL:-https://127.0.0.1:8443/validate}
export CA_BUNDLE=$(base64 -w0 < "$cert")
kubectl apply -f "$here/../../crds/"
sed -e "s|\${CONFIGGUARD_URL}|$CONFIGGUARD_URL|" -e "s|\${CA_BUNDLE}|$CA_BUNDLE|" "$here/webhook.yaml" | kubectl apply -f -
echo "configguard-local now sends ConfigMap and configguard writes to $CONFIGGUARD_URL"
echo "failurePolicy Ignore: when serve stops, writes are admitted unchecked; remove it with $0 --delete"
