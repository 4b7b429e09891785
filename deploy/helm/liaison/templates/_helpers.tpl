{{/* The chart's name, or nameOverride. */}}
{{- define "liaison.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: fullnameOverride, else RELEASE-CHART (the release alone when it already holds the chart's name). */}}
{{- define "liaison.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "liaison.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "liaison.selectorLabels" -}}
app.kubernetes.io/name: {{ include "liaison.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "liaison.labels" -}}
helm.sh/chart: {{ include "liaison.chart" . }}
{{ include "liaison.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "liaison.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "liaison.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "liaison.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The gateway's config: values.config, naming the CSV when providersCsv is set. */}}
{{- define "liaison.config" -}}
{{- $config := deepCopy .Values.config }}
{{- if .Values.providersCsv }}
{{- $_ := set $config "providers_csv" "./providers.csv" }}
{{- end }}
{{- toYaml $config }}
{{- end }}
