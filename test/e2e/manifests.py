#!/usr/bin/env python3
"""Emit the cluster config for Tekton Pipelines v1.9.0 (controller and resolvers) and Triggers
v0.35.0 (controller, core interceptors, sink) running as host processes: namespaces, CRDs
(conversion webhooks stripped -> strategy None: there is no webhook), ConfigMaps, and the core
ClusterInterceptors pointed at INTERCEPTORS_URL (no Services or DNS on this cluster). Skips
Deployments, Services, admission webhooks and RBAC for in-cluster service accounts, and the empty
interceptor certs Secret (e2e.sh fills it).
usage: manifests.py PIPELINE_MODULE_DIR TRIGGERS_MODULE_DIR INTERCEPTORS_URL"""
import glob, sys, yaml
p, t, url = sys.argv[1] + "/config", sys.argv[2] + "/config", sys.argv[3]
files = (sorted(glob.glob(p + "/100-namespace/*.yaml")) + sorted(glob.glob(p + "/300-crds/*.yaml"))
         + sorted(glob.glob(p + "/config-*.yaml"))
         + [p + "/resolvers/100-namespace.yaml"] + sorted(glob.glob(p + "/resolvers/*config*.yaml"))
         + sorted(glob.glob(t + "/300-*.yaml")) + sorted(glob.glob(t + "/config-*.yaml"))
         + sorted(glob.glob(t + "/interceptors/*.yaml")))
out = []
for f in files:
    for doc in yaml.safe_load_all(open(f)):
        if not doc:
            continue
        k = doc["kind"]
        if k == "CustomResourceDefinition" and "conversion" in doc["spec"]:
            doc["spec"]["conversion"] = {"strategy": "None"}
        if k == "ClusterInterceptor":
            path = doc["spec"]["clientConfig"]["service"]["path"]
            doc["spec"]["clientConfig"] = {"url": url.rstrip("/") + "/" + path}
        if k in ("Namespace", "CustomResourceDefinition", "ConfigMap", "ClusterInterceptor"):
            out.append(doc)
print(yaml.safe_dump_all(out, sort_keys=False))
