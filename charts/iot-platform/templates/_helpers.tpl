{{/*
Helpers of the iot-platform chart. Every helper takes the chart's scope (.Values, .Release, .Chart), so that a
project's chart can call the project templates with (index .Subcharts "iot-platform").
*/}}

{{/* Resource name prefix: the release name (a project installs one release per namespace). */}}
{{- define "iot-platform.fullname" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{- define "iot-platform.database" -}}
{{- required "project.name is required (the project name of iot-platform.yaml)" .Values.project.name | replace "-" "_" -}}
{{- end -}}

{{- define "iot-platform.labels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: iot-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Selector labels of one component: (dict "ctx" . "component" "api") */}}
{{- define "iot-platform.selector" -}}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/name: {{ .component }}
{{- end -}}

{{- define "iot-platform.componentLabels" -}}
{{ include "iot-platform.labels" .ctx }}
app.kubernetes.io/name: {{ .component }}
{{- end -}}

{{/* A pinned image reference; fails on a missing or `latest` tag. (dict "image" "repo:tag" "what" "images.redis") */}}
{{- define "iot-platform.pinned" -}}
{{- $image := required (printf "%s is required" .what) .image -}}
{{- $tag := regexFind ":[^:/@]+$" $image | trimPrefix ":" -}}
{{- if and (not (contains "@sha256:" $image)) (or (eq $tag "") (eq $tag "latest")) -}}
{{- fail (printf "%s: image %q must be pinned to a version (never latest)" .what $image) -}}
{{- end -}}
{{- $image -}}
{{- end -}}

{{- define "iot-platform.image.runner" -}}
{{- $tag := .Values.images.flinkSqlRunner.tag | default .Chart.AppVersion -}}
{{- include "iot-platform.pinned" (dict "image" (printf "%s:%s" .Values.images.flinkSqlRunner.repository $tag) "what" "images.flinkSqlRunner") -}}
{{- end -}}

{{- define "iot-platform.image.services" -}}
{{- $repo := required "images.services.repository is required: the project's services image (services/Dockerfile) that CI pushes" .Values.images.services.repository -}}
{{- $tag := required "images.services.tag is required: the immutable tag CI pushed (for example the git SHA)" .Values.images.services.tag -}}
{{- include "iot-platform.pinned" (dict "image" (printf "%s:%s" $repo $tag) "what" "images.services") -}}
{{- end -}}

{{/* flinkVersion of the FlinkDeployment (v2_2) from the Flink image tag (2.2.0-java17). */}}
{{- define "iot-platform.flinkVersion" -}}
{{- $tag := regexFind ":[0-9]+\\.[0-9]+" .Values.images.flink | trimPrefix ":" -}}
{{- printf "v%s" ($tag | replace "." "_") -}}
{{- end -}}

{{/* Restricted pod security (Pod Security Standards "restricted"). (dict "uid" 1000 "gid" 1000) */}}
{{- define "iot-platform.podSecurity" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .gid | default .uid }}
fsGroup: {{ .gid | default .uid }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container security context; (dict "uid" 1000 "readOnly" true) */}}
{{- define "iot-platform.containerSecurity" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: {{ .readOnly }}
privileged: false
capabilities:
  drop: [ALL]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Names of the generated / existing Secrets. */}}
{{- define "iot-platform.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-credentials" (include "iot-platform.fullname" .)) -}}
{{- end -}}

{{/* basic-auth Secret of a PostgreSQL role: (dict "ctx" . "role" "flink_writer") */}}
{{- define "iot-platform.roleSecretName" -}}
{{- $existing := index .ctx.Values.postgres.roleSecrets .role | default "" -}}
{{- $existing | default (printf "%s-pg-%s" (include "iot-platform.fullname" .ctx) (.role | replace "_" "-")) -}}
{{- end -}}

{{/*
A secret value that is generated once and then kept: the value already stored in the cluster's Secret
(lookup) on upgrades, a fresh random one at install. `helm template` (no cluster) always generates.
(dict "ctx" . "secret" name "key" KEY "length" 32)
*/}}
{{- define "iot-platform.keptSecretValue" -}}
{{- $existing := lookup "v1" "Secret" .ctx.Release.Namespace .secret -}}
{{- $stored := "" -}}
{{- if and $existing $existing.data -}}
{{- $stored = index $existing.data .key | default "" -}}
{{- end -}}
{{- if $stored -}}
{{- $stored -}}
{{- else -}}
{{- randAlphaNum (.length | default 32 | int) | b64enc -}}
{{- end -}}
{{- end -}}

{{/* Addresses (identical to the environment names of compose and the native driver). */}}
{{- define "iot-platform.kafkaBrokers" -}}
{{- printf "%s-kafka-bootstrap:9092" (include "iot-platform.fullname" .) -}}
{{- end -}}
{{- define "iot-platform.postgresHost" -}}
{{- printf "%s-postgres-rw" (include "iot-platform.fullname" .) -}}
{{- end -}}
{{- define "iot-platform.s3Endpoint" -}}
{{- if .Values.flink.s3.endpoint -}}
{{- .Values.flink.s3.endpoint -}}
{{- else -}}
{{- printf "http://%s-seaweedfs:8333" (include "iot-platform.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* env entry from the chart's credentials Secret: (dict "ctx" . "name" "ENV" "key" "KEY") */}}
{{- define "iot-platform.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "iot-platform.secretName" .ctx }}
      key: {{ .key | default .name }}
{{- end -}}

{{/*
The project's parameters (iot-platform.yaml `parameters`, as project.parameters {DRY_THRESHOLD: "50", …}) as env
entries: the Flink jobs substitute them as ${VAR}s and dbt reads them with env_var. Chart scope in, list out.
*/}}
{{- define "iot-platform.parameterEnv" -}}
{{- range $name := keys (.Values.project.parameters | default dict) | sortAlpha }}
- name: {{ $name }}
  value: {{ index $.Values.project.parameters $name | toString | quote }}
{{- end }}
{{- end -}}

{{/* Writable scratch space for read-only root filesystems. */}}
{{- define "iot-platform.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end -}}
