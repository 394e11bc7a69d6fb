{{/*
Helpers of the Orderflow chart. Most take a context dict:
  root       the top-level context ($)
  component  api | processor | notifier | scheduler | payment-simulator | migrations | shared
  values     the component's block of values (for the pod template and its companions)
*/}}

{{/* Chart name, for resource names. */}}
{{- define "orderflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: the prefix of every resource name. */}}
{{- define "orderflow.fullname" -}}
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

{{/* Name of a component's resources: <fullname>-<component>. */}}
{{- define "orderflow.componentName" -}}
{{- printf "%s-%s" (include "orderflow.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* chart-version, for the helm.sh/chart label. */}}
{{- define "orderflow.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select a component's pods; they never change between releases. Objects of no one component (component "shared") are named orderflow. */}}
{{- define "orderflow.selectorLabels" -}}
app.kubernetes.io/name: {{ ternary "orderflow" .component (eq .component "shared") }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "orderflow.labels" -}}
helm.sh/chart: {{ include "orderflow.chart" .root }}
{{ include "orderflow.selectorLabels" . }}
app.kubernetes.io/version: {{ include "orderflow.imageTag" . | quote }}
app.kubernetes.io/part-of: orderflow
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{/* Image tag of a component: its own, else global.image.tag, else the appVersion. */}}
{{- define "orderflow.imageTag" -}}
{{- $own := "" }}
{{- if and .values .values.image }}{{ $own = .values.image.tag }}{{ end }}
{{- $own | default .root.Values.global.image.tag | default .root.Chart.AppVersion | toString }}
{{- end }}

{{/* Full image reference of a component. */}}
{{- define "orderflow.image" -}}
{{- $registry := .root.Values.global.image.registry }}
{{- $repository := .values.image.repository }}
{{- if $registry }}{{ $repository = printf "%s/%s" (trimSuffix "/" $registry) $repository }}{{ end }}
{{- printf "%s:%s" $repository (include "orderflow.imageTag" .) }}
{{- end }}

{{- define "orderflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "orderflow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Names of the ConfigMaps. */}}
{{- define "orderflow.sharedConfigName" -}}
{{- printf "%s-config" (include "orderflow.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "orderflow.componentConfigName" -}}
{{- printf "%s-config" (include "orderflow.componentName" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of the development Secret (secrets.create). */}}
{{- define "orderflow.createdSecretName" -}}
{{- printf "%s-secrets" (include "orderflow.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
An environment variable read from a Secret. Context: root, name (the variable), secret (an
existing Secret's name), key, optional (bool), required (the value path named in the error
when there is no Secret to read from; empty: the variable is then set to "").
With secrets.create the chart's Secret replaces every existing one.
*/}}
{{- define "orderflow.secretEnv" -}}
{{- $secret := .secret }}
{{- $key := .key }}
{{- if .root.Values.secrets.create }}
{{- $secret = include "orderflow.createdSecretName" .root }}
{{- $key = .name }}
{{- end }}
{{- if $secret -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ required (printf "the Secret key of %s must not be empty" .name) $key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- else if .required }}
{{- fail (printf "%s comes from a Secret: set %s (or secrets.create=true for development)" .name .required) }}
{{- else -}}
- name: {{ .name }}
  value: ""
{{- end }}
{{- end }}

{{/* MONGO_URL, read by every service and the migrations Job. */}}
{{- define "orderflow.env.mongo" -}}
{{- $m := .Values.global.mongo }}
{{- include "orderflow.secretEnv" (dict "root" . "name" "MONGO_URL" "secret" $m.existingSecret "key" $m.urlKey "required" "global.mongo.existingSecret") }}
{{- end }}

{{/* NATS_USER, NATS_PASSWORD, NATS_TOKEN: each key optional. */}}
{{- define "orderflow.env.nats" -}}
{{- $n := .Values.global.nats }}
{{- include "orderflow.secretEnv" (dict "root" . "name" "NATS_USER" "secret" $n.existingSecret "key" $n.userKey "optional" true) }}
{{ include "orderflow.secretEnv" (dict "root" . "name" "NATS_PASSWORD" "secret" $n.existingSecret "key" $n.passwordKey "optional" true) }}
{{ include "orderflow.secretEnv" (dict "root" . "name" "NATS_TOKEN" "secret" $n.existingSecret "key" $n.tokenKey "optional" true) }}
{{- end }}

{{/* PAYMENT_WEBHOOK_SECRET (api, simulator): required in production. */}}
{{- define "orderflow.env.webhookSecret" -}}
{{- $w := .Values.global.paymentWebhookSecret }}
{{- $production := eq .Values.global.nodeEnv "production" }}
{{- include "orderflow.secretEnv" (dict "root" . "name" "PAYMENT_WEBHOOK_SECRET" "secret" $w.existingSecret "key" $w.key "optional" (not $production) "required" (ternary "global.paymentWebhookSecret.existingSecret (required when global.nodeEnv is production)" "" $production)) }}
{{- end }}

{{/* A whole number for an environment variable (values arrive as floats: 604800000 would print as 6.048e+08). */}}
{{- define "orderflow.int" -}}
{{- . | int64 | toString | quote }}
{{- end }}

{{/* terminationGracePeriodSeconds: preStop + SHUTDOWN_TIMEOUT_MS (rounded up) + 5 s margin. */}}
{{- define "orderflow.terminationGracePeriodSeconds" -}}
{{- $s := .Values.global.shutdown }}
{{- add ($s.preStopSeconds | int64) (div (add ($s.timeoutMs | int64) 999) 1000) 5 }}
{{- end }}

{{/* Checksum of the configuration a component's pods read, so a change rolls them. */}}
{{- define "orderflow.configChecksum" -}}
{{- $root := .root }}
{{- $files := list "/configmap.yaml" (printf "/%s-configmap.yaml" .component) }}
{{- if $root.Values.secrets.create }}{{ $files = append $files "/secret.yaml" }}{{ end }}
{{- $rendered := "" }}
{{- range $files }}{{ $rendered = print $rendered (include (print $root.Template.BasePath .) $root) }}{{ end }}
{{- $rendered | sha256sum }}
{{- end }}

{{/*
The pod template of a service's Deployment. Context: root, component, values, plus
  port        the container port (/health, /ready, /metrics)
  portName    its name (http or ops)
  readyPath   the readiness path (/ready; the simulator has only /health)
  metrics     whether the pod serves /metrics (prometheus.io annotations)
  shared      whether the pod reads the shared ConfigMap
  env         rendered EnvVar list items (secret references)
*/}}
{{- define "orderflow.podTemplate" -}}
{{- $root := .root }}
{{- $g := $root.Values.global }}
{{- $v := .values }}
{{- $selector := include "orderflow.selectorLabels" . | fromYaml -}}
metadata:
  labels:
    {{- include "orderflow.labels" . | nindent 4 }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    checksum/config: {{ include "orderflow.configChecksum" . }}
    {{- if .metrics }}
    prometheus.io/scrape: "true"
    prometheus.io/port: {{ .port | int64 | toString | quote }}
    prometheus.io/path: /metrics
    {{- end }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "orderflow.serviceAccountName" $root }}
  automountServiceAccountToken: {{ $root.Values.serviceAccount.automountToken }}
  enableServiceLinks: false
  terminationGracePeriodSeconds: {{ include "orderflow.terminationGracePeriodSeconds" $root }}
  {{- with $g.image.pullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  securityContext:
    {{- toYaml $g.podSecurityContext | nindent 4 }}
  containers:
    - name: {{ .component }}
      image: {{ include "orderflow.image" . | quote }}
      imagePullPolicy: {{ $g.image.pullPolicy }}
      ports:
        - name: {{ .portName }}
          containerPort: {{ .port | int64 }}
          protocol: TCP
      envFrom:
        {{- if .shared }}
        - configMapRef:
            name: {{ include "orderflow.sharedConfigName" $root }}
        {{- end }}
        - configMapRef:
            name: {{ include "orderflow.componentConfigName" . }}
      {{- if or .env $v.extraEnv }}
      env:
        {{- with .env }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with $v.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- end }}
      resources:
        {{- toYaml $v.resources | nindent 8 }}
      startupProbe:
        httpGet:
          path: /health
          port: {{ .portName }}
        periodSeconds: {{ $g.probes.startupPeriodSeconds }}
        timeoutSeconds: {{ $g.probes.timeoutSeconds }}
        failureThreshold: {{ $g.probes.startupFailureThreshold }}
      livenessProbe:
        httpGet:
          path: /health
          port: {{ .portName }}
        periodSeconds: {{ $g.probes.livenessPeriodSeconds }}
        timeoutSeconds: {{ $g.probes.timeoutSeconds }}
        failureThreshold: {{ $g.probes.livenessFailureThreshold }}
      readinessProbe:
        httpGet:
          path: {{ .readyPath }}
          port: {{ .portName }}
        periodSeconds: {{ $g.probes.readinessPeriodSeconds }}
        timeoutSeconds: {{ $g.probes.timeoutSeconds }}
        failureThreshold: {{ $g.probes.readinessFailureThreshold }}
      lifecycle:
        preStop:
          # Keeps serving while endpoints and load balancers drop the pod; SIGTERM follows.
          # The images may have no shell or sleep binary, so Node waits.
          exec:
            command:
              - {{ $g.nodeCommand }}
              - -e
              - {{ printf "setTimeout(()=>{},%d)" (mul ($g.shutdown.preStopSeconds | int64) 1000) | quote }}
      securityContext:
        {{- toYaml $g.securityContext | nindent 8 }}
      volumeMounts:
        - name: tmp
          mountPath: /tmp
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: {{ $g.tmpSizeLimit }}
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.topologySpreadConstraints }}
  topologySpreadConstraints:
    {{- range . }}
    {{- $constraint := . }}
    {{- if not .labelSelector }}
    {{- $constraint = merge (dict "labelSelector" (dict "matchLabels" $selector)) . }}
    {{- end }}
    - {{- toYaml $constraint | nindent 6 }}
    {{- end }}
  {{- end }}
{{- end }}

{{/* A service's Deployment around the pod template. */}}
{{- define "orderflow.deployment" -}}
{{- $v := .values }}
{{- $scaled := or (and $v.autoscaling $v.autoscaling.enabled) (and $v.keda $v.keda.enabled) }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "orderflow.componentName" . }}
  labels:
    {{- include "orderflow.labels" . | nindent 4 }}
spec:
  {{- if not $scaled }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: {{ .root.Values.global.revisionHistoryLimit }}
  selector:
    matchLabels:
      {{- include "orderflow.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    {{- include "orderflow.podTemplate" . | nindent 4 }}
{{- end }}

{{/* A service's ClusterIP Service. Context adds port, portName, servicePort, type, annotations. */}}
{{- define "orderflow.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "orderflow.componentName" . }}
  labels:
    {{- include "orderflow.labels" . | nindent 4 }}
  {{- with .annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ .type | default "ClusterIP" }}
  selector:
    {{- include "orderflow.selectorLabels" . | nindent 4 }}
  ports:
    - name: {{ .portName }}
      port: {{ .servicePort | default .port | int64 }}
      targetPort: {{ .portName }}
      protocol: TCP
{{- end }}

{{/* A service's HorizontalPodAutoscaler on CPU. */}}
{{- define "orderflow.hpa" -}}
{{- $a := .values.autoscaling }}
{{- if lt ($a.maxReplicas | int64) ($a.minReplicas | int64) }}
{{- fail (printf "%s.autoscaling.maxReplicas must be at least minReplicas" .key) }}
{{- end }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "orderflow.componentName" . }}
  labels:
    {{- include "orderflow.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "orderflow.componentName" . }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
{{- end }}

{{/* A service's PodDisruptionBudget: maxUnavailable when set, else minAvailable. */}}
{{- define "orderflow.pdb" -}}
{{- $p := .values.pdb }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "orderflow.componentName" . }}
  labels:
    {{- include "orderflow.labels" . | nindent 4 }}
spec:
  {{- if not (eq (toString $p.maxUnavailable) "") }}
  maxUnavailable: {{ $p.maxUnavailable }}
  {{- else }}
  minAvailable: {{ $p.minAvailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "orderflow.selectorLabels" . | nindent 6 }}
{{- end }}

{{/* Variables of the OpenTelemetry SDK, per ConfigMap. */}}
{{- define "orderflow.otelData" -}}
{{- $o := .Values.global.otel -}}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ $o.endpoint | quote }}
OTEL_EXPORTER_OTLP_PROTOCOL: {{ $o.protocol | quote }}
OTEL_RESOURCE_ATTRIBUTES: {{ $o.resourceAttributes | quote }}
OTEL_TRACES_SAMPLER: {{ $o.sampler | quote }}
OTEL_TRACES_SAMPLER_ARG: {{ $o.samplerArg | toString | quote }}
OTEL_SDK_DISABLED: {{ $o.sdkDisabled | toString | quote }}
{{- end }}

{{/* The payment provider URL of the processor. */}}
{{- define "orderflow.paymentUrl" -}}
{{- if .Values.processor.paymentUrl }}
{{- .Values.processor.paymentUrl }}
{{- else if .Values.paymentSimulator.enabled }}
{{- printf "http://%s:%d" (include "orderflow.componentName" (dict "root" . "component" "payment-simulator")) (.Values.paymentSimulator.port | int64) }}
{{- end }}
{{- end }}

{{/* The webhook URL of the simulator: the api Service unless set. */}}
{{- define "orderflow.webhookUrl" -}}
{{- if .Values.paymentSimulator.webhookUrl }}
{{- .Values.paymentSimulator.webhookUrl }}
{{- else }}
{{- printf "http://%s:%d/webhooks/payments" (include "orderflow.componentName" (dict "root" . "component" "api")) (.Values.api.service.port | int64) }}
{{- end }}
{{- end }}

{{/* Physical name of a logical stream: <NATS_NAMESPACE>_<name> when a namespace is set. */}}
{{- define "orderflow.streamName" -}}
{{- if .root.Values.global.nats.namespace }}
{{- printf "%s_%s" .root.Values.global.nats.namespace .stream }}
{{- else }}
{{- .stream }}
{{- end }}
{{- end }}
