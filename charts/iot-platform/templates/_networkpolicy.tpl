{{/* NetworkPolicy peers (templates/networkpolicies.yaml). */}}
{{- define "iot-platform.np.to" -}}
- podSelector:
    matchLabels:
      app.kubernetes.io/instance: {{ .inst }}
      app.kubernetes.io/name: {{ .name }}
{{- end -}}
{{- define "iot-platform.np.kafka" -}}
- to:
    - podSelector:
        matchLabels:
          strimzi.io/cluster: {{ .cluster }}
          strimzi.io/broker-role: "true"
  ports:
    - { port: 9092, protocol: TCP }
{{- end -}}
{{- define "iot-platform.np.postgres" -}}
- to:
    - podSelector:
        matchLabels:
          cnpg.io/cluster: {{ .cluster }}
  ports:
    - { port: 5432, protocol: TCP }
{{- end -}}
