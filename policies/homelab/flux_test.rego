package homelab.flux_test

import rego.v1

import data.homelab.flux

repo := {
	"repository": {
		"urls": ["git@git.home.arpa:homelab/infra.git"],
		"dirs": {".": true, "clusters": true, "clusters/production": true, "apps/production": true},
	},
	"flux": {"gitrepositories": {"infra": {
		"apiVersion": "source.toolkit.fluxcd.io/v1",
		"kind": "GitRepository",
		"metadata": {"name": "infra"},
		"spec": {"url": "https://git.home.arpa/homelab/infra", "ref": {"branch": "main"}},
	}}},
	"input": {"file": "clusters/production/apps.yaml", "overlay": ""},
}

findings(doc) := {r |
	some rule in ["deny_unpinned_ref", "warn_branch_ref", "deny_missing_path", "warn_prune_prod"]
	count(flux[rule]) > 0 with input as doc with data.plumbline as repo
	r := rule
}

kustomization := {
	"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
	"kind": "Kustomization",
	"metadata": {"name": "apps", "namespace": "flux-system"},
	"spec": {"sourceRef": {"kind": "GitRepository", "name": "flux-system"}, "path": "./apps/production", "prune": false},
}

test_good_kustomization if findings(kustomization) == set()

test_missing_path if {
	doc := json.patch(kustomization, [{"op": "replace", "path": "/spec/path", "value": "./apps/prodution"}])
	findings(doc) == {"deny_missing_path"}
}

test_missing_path_of_own_gitrepository if {
	doc := json.patch(kustomization, [
		{"op": "replace", "path": "/spec/sourceRef/name", "value": "infra"},
		{"op": "replace", "path": "/spec/path", "value": "apps/prodution"},
	])
	findings(doc) == {"deny_missing_path"}
}

test_other_repository_path_not_judged if {
	doc := json.patch(kustomization, [
		{"op": "replace", "path": "/spec/sourceRef/name", "value": "upstream"},
		{"op": "replace", "path": "/spec/path", "value": "./deploy"},
	])
	findings(doc) == set()
}

test_prune_prod if {
	doc := json.patch(kustomization, [{"op": "replace", "path": "/spec/prune", "value": true}])
	findings(doc) == {"warn_prune_prod"}
}

test_prune_staging_fine if {
	doc := json.patch(kustomization, [
		{"op": "replace", "path": "/spec/prune", "value": true},
		{"op": "replace", "path": "/spec/path", "value": "./clusters"},
	])
	count(flux.warn_prune_prod) == 0 with input as doc with data.plumbline as object.union(repo, {"input": {"file": "clusters/staging/apps.yaml", "overlay": ""}})
}

gitrepo := {
	"apiVersion": "source.toolkit.fluxcd.io/v1",
	"kind": "GitRepository",
	"metadata": {"name": "charts-prod", "namespace": "flux-system"},
	"spec": {"url": "https://github.com/example/charts", "ref": {"tag": "v1.2.0"}},
}

test_pinned_gitrepository if findings(gitrepo) == set()

test_branch_gitrepository if {
	some ref in [{"branch": "main"}, {}]
	doc := json.patch(gitrepo, [{"op": "replace", "path": "/spec/ref", "value": ref}])
	findings(doc) == {"warn_branch_ref"}
}

test_own_repository_may_track_a_branch if {
	some gr in [
		json.patch(gitrepo, [{"op": "replace", "path": "/metadata/name", "value": "flux-system"}, {"op": "replace", "path": "/spec/ref", "value": {"branch": "main"}}]),
		json.patch(gitrepo, [{"op": "replace", "path": "/spec/url", "value": "ssh://git@git.home.arpa/homelab/infra.git"}, {"op": "replace", "path": "/spec/ref", "value": {"branch": "main"}}]),
	]
	findings(gr) == set()
}

test_oci_latest if {
	doc := {
		"apiVersion": "source.toolkit.fluxcd.io/v1beta2", "kind": "OCIRepository",
		"metadata": {"name": "podinfo"}, "spec": {"url": "oci://ghcr.io/stefanprodan/manifests/podinfo"},
	}
	findings(doc) == {"deny_unpinned_ref"}
	findings(json.patch(doc, [{"op": "add", "path": "/spec/ref", "value": {"semver": ">=6.0.0"}}])) == set()
}

test_helmrelease_without_version if {
	doc := {
		"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": {"name": "grafana"},
		"spec": {"chart": {"spec": {"chart": "grafana", "sourceRef": {"kind": "HelmRepository", "name": "grafana"}}}},
	}
	findings(doc) == {"deny_unpinned_ref"}
	findings(json.patch(doc, [{"op": "add", "path": "/spec/chart/spec/version", "value": "8.5.x"}])) == set()
}

test_bootstrap_prune_left_alone if {
	doc := json.patch(kustomization, [
		{"op": "replace", "path": "/metadata/name", "value": "flux-system"},
		{"op": "replace", "path": "/spec/path", "value": "./clusters/production"},
		{"op": "replace", "path": "/spec/prune", "value": true},
	])
	findings(doc) == set()
}
