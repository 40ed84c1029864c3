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
