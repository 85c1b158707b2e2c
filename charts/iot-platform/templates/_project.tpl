{{/*
Project resources from a project's files. A generated project's chart (charts/app) calls:

  {{ include "iot-platform.project" (dict "ctx" (index .Subcharts "iot-platform") "files" .Files) }}

with its files under files/ (charts/app/prepare.sh copies them there): files/iot-platform.yaml (topics),
files/flink/sql/*.sql (one FlinkDeployment per file), files/flink/tables/*.sql (the shared table definitions the
SQL runner creates in every job before its script), files/postgres/init/*.sql (CloudNativePG post-init SQL),
files/dbt/** (the dbt CronJob's project) and files/simulator/simulator.env. Standalone, templates/project.yaml
passes the same data from values (project.manifest, project.flinkJobs, project.flinkTables, project.postgresInit).
(dict "ctx" <chart scope> "manifest" string "jobs" {file: script} "tables" {file: sql} "postgresInit" {file: sql} "dbt" {path: content} "simulatorEnv" string)
*/}}
{{- define "iot-platform.projectResources" -}}
{{- $ctx := .ctx -}}
{{- $name := include "iot-platform.fullname" $ctx -}}
{{- $manifest := fromYaml (.manifest | default "{}") -}}
{{- if hasKey $manifest "Error" }}{{ fail (printf "iot-platform.yaml: %s" $manifest.Error) }}{{ end -}}
{{- range $manifest.topics }}
---
{{ include "iot-platform.kafkaTopic" (dict "ctx" $ctx "topic" .) }}
{{- end }}
---
# PostgreSQL init SQL of the project (postgres/init/*.sql in name order), run once by CloudNativePG after the
# roles exist (bootstrap.initdb.postInitApplicationSQLRefs).
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}-postgres-init
  labels:
    {{- include "iot-platform.labels" $ctx | nindent 4 }}
data:
  init.sql: |
    {{- range $file := keys .postgresInit | sortAlpha }}
    -- {{ $file }}
    {{- index $.postgresInit $file | nindent 4 }}
    {{- else }}
    -- no postgres/init/*.sql in this project
    SELECT 1;
    {{- end }}
{{- if .jobs }}
---
# The shared table definitions (flink/tables/*.sql): every Flink job mounts them, and the SQL runner creates them
# in the job before its script (--tables).
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}-flink-tables
  labels:
    {{- include "iot-platform.componentLabels" (dict "ctx" $ctx "component" "flink") | nindent 4 }}
{{- if .tables }}
data:
  {{- range $file := keys .tables | sortAlpha }}
  {{ $file }}: |
    {{- index $.tables $file | nindent 4 }}
  {{- end }}
{{- else }}
data: {}
{{- end }}
{{- end }}
{{- range $file := keys .jobs | sortAlpha }}
---
{{ include "iot-platform.flinkJob" (dict "ctx" $ctx "file" $file "script" (index $.jobs $file)) }}
{{- end }}
{{- if and $ctx.Values.components.dbt .dbt }}
---
# The dbt project (dbt/), flattened into keys; the CronJob mounts it back into its folders.
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}-dbt-project
  labels:
    {{- include "iot-platform.labels" $ctx | nindent 4 }}
data:
  {{- range $path := keys .dbt | sortAlpha }}
  {{ $path | replace "/" "__" }}: {{ index $.dbt $path | quote }}
  {{- end }}
{{- end }}
{{- if and $ctx.Values.components.simulator .simulatorEnv }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}-simulator-env
  labels:
    {{- include "iot-platform.labels" $ctx | nindent 4 }}
data:
  {{- range splitList "\n" .simulatorEnv }}
  {{- $line := trim . }}
  {{- if and $line (not (hasPrefix "#" $line)) (contains "=" $line) }}
  {{- $kv := splitn "=" 2 $line }}
  {{ $kv._0 | trim }}: {{ $kv._1 | trim | trimAll "\"" | quote }}
  {{- end }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* One KafkaTopic: (dict "ctx" . "topic" {name, partitions, compacted, retentionHours}) */}}
{{- define "iot-platform.kafkaTopic" -}}
{{- $t := .topic -}}
apiVersion: kafka.strimzi.io/v1
kind: KafkaTopic
metadata:
  name: {{ printf "%s-%s" (include "iot-platform.fullname" .ctx) (regexReplaceAll "[^a-z0-9.-]" ($t.name | lower) "-") | trunc 253 | trimSuffix "-" }}
  labels:
    {{- include "iot-platform.labels" .ctx | nindent 4 }}
    strimzi.io/cluster: {{ include "iot-platform.fullname" .ctx }}
spec:
  topicName: {{ $t.name | quote }}
  partitions: {{ $t.partitions | default 1 | int }}
  replicas: {{ .ctx.Values.kafka.replicationFactor | int }}
  config:
    min.insync.replicas: {{ .ctx.Values.kafka.minInsyncReplicas | int }}
    cleanup.policy: {{ ternary "compact" "delete" (default false $t.compacted) }}
    {{- with $t.retentionHours }}
    retention.ms: {{ mul (. | int64) 3600000 }}
    {{- end }}
{{- end -}}

{{/*
One Flink SQL job: a ConfigMap with the script and a FlinkDeployment (application mode) running the platform's
SQL runner on it. (dict "ctx" . "file" "10-measurement.sql" "script" "...")
*/}}
{{- define "iot-platform.flinkJob" -}}
{{- $ctx := .ctx -}}
{{- $v := $ctx.Values -}}
{{- $f := $v.flink -}}
{{- $fullname := include "iot-platform.fullname" $ctx -}}
{{- $job := regexReplaceAll "[^a-z0-9-]" (.file | trimSuffix ".sql" | lower) "-" -}}
{{- $name := printf "%s-%s" $fullname $job | trunc 45 | trimSuffix "-" -}}
{{- $s3 := or $v.components.history $v.flink.s3.endpoint -}}
{{- /* Checkpoints must outlive the pods for a restarted job to resume: on the chart's SeaweedFS when there is one,
else on the pod's emptyDir (dev only: state is lost with the pod). */ -}}
{{- $checkpoints := $f.checkpointDir | default (ternary (printf "s3://%s/flink/checkpoints" $v.seaweedfs.bucket) "file:///opt/flink/checkpoints" (and $v.components.history (not $v.flink.s3.endpoint))) -}}
{{- if and (ne $f.upgradeMode "stateless") (not $f.highAvailability.enabled) -}}
{{- fail (printf "flink.upgradeMode %s needs flink.highAvailability.enabled (Kubernetes HA services)" $f.upgradeMode) -}}
{{- end -}}
{{- if and (not $s3) (or (hasPrefix "s3://" $checkpoints) (hasPrefix "s3://" ($f.highAvailability.storageDir | default ""))) -}}
{{- fail "flink: s3:// checkpoint/HA storage needs S3: enable components.history (SeaweedFS) or set flink.s3.endpoint" -}}
{{- end -}}
{{- if and $v.flink.s3.endpoint (not $v.components.history) (not $v.secrets.existingSecret) -}}
{{- fail "flink.s3.endpoint (external S3) needs secrets.existingSecret with the keys S3_ACCESS_KEY and S3_SECRET_KEY" -}}
{{- end -}}
{{- if and $f.highAvailability.enabled (not (hasPrefix "s3://" ($f.highAvailability.storageDir | default ""))) -}}
{{- fail "flink.highAvailability.storageDir must be an s3:// path when HA is enabled" -}}
{{- end -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}-sql
  labels:
    {{- include "iot-platform.componentLabels" (dict "ctx" $ctx "component" "flink") | nindent 4 }}
data:
  {{ .file }}: |
    {{- .script | nindent 4 }}
---
apiVersion: flink.apache.org/v1beta1
kind: FlinkDeployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "iot-platform.componentLabels" (dict "ctx" $ctx "component" "flink") | nindent 4 }}
    iot-platform.dev/flink-job: {{ $job }}
spec:
  image: {{ include "iot-platform.image.runner" $ctx }}
  imagePullPolicy: {{ $v.images.pullPolicy }}
  flinkVersion: {{ include "iot-platform.flinkVersion" $ctx }}
  serviceAccount: {{ $fullname }}-flink
  mode: native
  flinkConfiguration:
    web.submit.enable: "false"
    web.cancel.enable: "false"
    taskmanager.numberOfTaskSlots: {{ $f.taskSlots | quote }}
    parallelism.default: {{ $f.parallelism | quote }}
    execution.checkpointing.interval: {{ $f.checkpointInterval | quote }}
    execution.checkpointing.dir: {{ printf "%s/%s" (trimSuffix "/" $checkpoints) $job | quote }}
    execution.checkpointing.savepoint-dir: {{ printf "%s/%s" (trimSuffix "/" ($f.savepointDir | default (printf "%s/savepoints" (trimSuffix "/" $checkpoints)))) $job | quote }}
    execution.checkpointing.externalized-checkpoint-retention: RETAIN_ON_CANCELLATION
    state.backend.type: {{ $f.stateBackend | quote }}
    table.local-time-zone: {{ $v.project.timeZone | quote }}
    {{- if $s3 }}
    s3.endpoint: {{ include "iot-platform.s3Endpoint" $ctx | quote }}
    s3.path.style.access: "true"
    {{- end }}
    {{- if $f.highAvailability.enabled }}
    high-availability.type: kubernetes
    high-availability.storageDir: {{ printf "%s/%s" (trimSuffix "/" $f.highAvailability.storageDir) $job | quote }}
    {{- end }}
  podTemplate:
    metadata:
      labels:
        {{- include "iot-platform.selector" (dict "ctx" $ctx "component" "flink") | nindent 8 }}
        app.kubernetes.io/part-of: iot-platform
        iot-platform.dev/kafka-client: "true"
        iot-platform.dev/flink-job: {{ $job }}
    spec:
      securityContext:
        {{- include "iot-platform.podSecurity" (dict "uid" 9999) | nindent 8 }}
      {{- with $v.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: flink-main-container
          # Flink's entrypoint rewrites its configuration at start, so the root filesystem stays writable.
          securityContext:
            {{- include "iot-platform.containerSecurity" (dict "uid" 9999 "readOnly" false) | nindent 12 }}
          env:
            # ${VAR}s the SQL runner substitutes into the script (same names as compose and native).
            - name: KAFKA_BROKERS
              value: {{ include "iot-platform.kafkaBrokers" $ctx | quote }}
            - name: POSTGRES_HOST
              value: {{ include "iot-platform.postgresHost" $ctx | quote }}
            - name: POSTGRES_PORT
              value: "5432"
            - name: POSTGRES_DB
              value: {{ include "iot-platform.database" $ctx | quote }}
            - name: POSTGRES_JDBC_URL
              value: {{ printf "jdbc:postgresql://%s:5432/%s?reWriteBatchedInserts=true" (include "iot-platform.postgresHost" $ctx) (include "iot-platform.database" $ctx) | quote }}
            - name: POSTGRES_FLINK_USER
              value: flink_writer
            - name: POSTGRES_FLINK_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {{ include "iot-platform.roleSecretName" (dict "ctx" $ctx "role" "flink_writer") }}
                  key: password
            {{- if $v.components.history }}
            - name: S3_ENDPOINT
              value: {{ include "iot-platform.s3Endpoint" $ctx | quote }}
            - name: S3_BUCKET
              value: {{ $v.seaweedfs.bucket | quote }}
            - name: S3_HISTORY_PATH
              value: {{ printf "s3://%s" $v.seaweedfs.bucket | quote }}
            {{- end }}
            {{- if $s3 }}
            # S3A reads these (EnvironmentVariableCredentialsProvider): no key in flinkConfiguration.
            {{- include "iot-platform.secretEnv" (dict "ctx" $ctx "name" "AWS_ACCESS_KEY_ID" "key" "S3_ACCESS_KEY") | nindent 12 }}
            {{- include "iot-platform.secretEnv" (dict "ctx" $ctx "name" "AWS_SECRET_ACCESS_KEY" "key" "S3_SECRET_KEY") | nindent 12 }}
            {{- end }}
            {{- include "iot-platform.parameterEnv" $ctx | nindent 12 }}
            - name: TZ
              value: {{ $v.project.timeZone | quote }}
          volumeMounts:
            - name: sql
              mountPath: /opt/flink/sql
              readOnly: true
            - name: tables
              mountPath: /opt/flink/tables
              readOnly: true
            - name: checkpoints
              mountPath: /opt/flink/checkpoints
            - name: tmp
              mountPath: /tmp
      volumes:
        - name: sql
          configMap:
            name: {{ $name }}-sql
        - name: tables
          configMap:
            name: {{ $fullname }}-flink-tables
        - name: checkpoints
          emptyDir:
            sizeLimit: 2Gi
        {{- include "iot-platform.tmpVolume" . | nindent 8 }}
  jobManager:
    replicas: {{ $f.jobManager.replicas }}
    resource:
      {{- toYaml $f.jobManager.resources | nindent 6 }}
  taskManager:
    resource:
      {{- toYaml $f.taskManager.resources | nindent 6 }}
  job:
    jarURI: local:///opt/flink/usrlib/flink-sql-runner.jar
    entryClass: dev.iotplatform.flink.SqlRunner
    args:
      - --tables
      - /opt/flink/tables
      - /opt/flink/sql/{{ .file }}
    parallelism: {{ $f.parallelism }}
    upgradeMode: {{ $f.upgradeMode }}
    state: running
{{- end -}}
