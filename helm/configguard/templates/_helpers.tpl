{{- define "configguard.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "configguard.labels" -}}
app.kubernetes.io/name: configguard
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "configguard.selectorLabels" -}}
app.kubernetes.io/name: configguard
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "configguard.serviceAccountName" -}}
{{- default (include "configguard.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "configguard.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "configguard.fullname" .)) .Values.tls.existingSecret -}}
{{- end -}}

{{/* Namespaces the webhook never sees: kube-system, the release's own, and any extra. */}}
{{- define "configguard.excludedNamespaces" -}}
{{- $all := concat (list "kube-system" .Release.Namespace) .Values.webhook.excludeNamespaces | uniq -}}
{{- join "," $all -}}
{{- end -}}

{{/*
The chart's values as configguard's configuration keys: the one place a value becomes a setting
(README, Configuration reference). The Deployment sets each as an environment variable, the key
in upper case with every other character as _; ChartEnvTest proves each is a key the application
reads. POD_NAMESPACE (downward API) is the default of configguard.namespace.
*/}}
{{- define "configguard.config" -}}
{{- $fullname := include "configguard.fullname" . -}}
configguard.tls.cert-file: /etc/configguard/tls/tls.crt
configguard.tls.key-file: /etc/configguard/tls/tls.key
configguard.tls.ca-file: /etc/configguard/tls/ca.crt
configguard.operator.enabled: {{ .Values.operator.enabled | quote }}
configguard.audit.interval: {{ .Values.operator.auditInterval | quote }}
configguard.webhook.manage: {{ .Values.webhook.manage | quote }}
configguard.webhook.name: {{ .Values.webhook.name | quote }}
configguard.webhook.failure-policy: {{ .Values.webhook.failurePolicy | quote }}
configguard.webhook.timeout-seconds: {{ .Values.webhook.timeoutSeconds | quote }}
configguard.webhook.service-name: {{ $fullname | quote }}
configguard.webhook.service-port: {{ .Values.service.port | quote }}
configguard.webhook.exclude-namespaces: {{ include "configguard.excludedNamespaces" . | quote }}
configguard.webhook.owner-cluster-role: {{ $fullname | quote }}
{{- /* Only this user's writes of a rollout's -stable/-candidate ConfigMaps skip the policies
their source already passed in pre-flight. */}}
configguard.operator.service-account: {{ printf "system:serviceaccount:%s:%s" .Release.Namespace (include "configguard.serviceAccountName" .) | quote }}
{{- with .Values.operator.trackBreakGlass.users }}
configguard.tracks.break-glass.users: {{ join "," . | quote }}
{{- end }}
{{- with .Values.operator.trackBreakGlass.groups }}
configguard.tracks.break-glass.groups: {{ join "," . | quote }}
{{- end }}
configguard.operator.lease-namespace: {{ .Release.Namespace | quote }}
'quarkus.log.category."io.configguard".level': {{ .Values.logLevel | quote }}
{{- end -}}
