package homelab.argocd_test

import rego.v1

import data.homelab.argocd

repo := {
	"repository": {
		"urls": ["git@git.home.arpa:homelab/infra.git"],
		"dirs": {".": true, "kubernetes": true, "kubernetes/overlays/prod": true},
	},
	"argocd": {"projects": {"homelab": {
		"apiVersion": "argoproj.io/v1alpha1",
		"kind": "AppProject",
		"metadata": {"name": "homelab"},
		"spec": {
			"sourceRepos": ["https://git.home.arpa/homelab/*"],
			"destinations": [{"server": "https://kubernetes.default.svc", "namespace": "dns"}],
		},
	}}},
	"input": {"file": "argocd/app.yaml", "overlay": ""},
}

good := {
	"apiVersion": "argoproj.io/v1alpha1",
	"kind": "Application",
	"metadata": {"name": "external-dns-prod"},
	"spec": {
		"project": "homelab",
		"source": {
			"repoURL": "https://git.home.arpa/homelab/infra.git",
			"path": "kubernetes/overlays/prod",
			"targetRevision": "v1.4.0",
		},
		"destination": {"server": "https://kubernetes.default.svc", "namespace": "dns"},
		"syncPolicy": {"automated": {"selfHeal": true}},
	},
}

all_findings(doc) := {r |
	some rule in ["deny_default_project", "deny_unpinned_revision", "warn_prune_prod", "deny_destination", "deny_source_repo", "deny_missing_path"]
	count(argocd[rule]) > 0 with input as doc with data.plumbline as repo
	r := rule
}

test_good_application_passes if {
	all_findings(good) == set()
}

test_default_project if {
	doc := json.patch(good, [{"op": "remove", "path": "/spec/project"}])
	"deny_default_project" in all_findings(doc)
}

test_unpinned_prod_revision if {
	some rev in ["HEAD", "main", ""]
	doc := json.patch(good, [{"op": "replace", "path": "/spec/source/targetRevision", "value": rev}])
	all_findings(doc) == {"deny_unpinned_revision"}
}

test_commit_is_pinned if {
	doc := json.patch(good, [{"op": "replace", "path": "/spec/source/targetRevision", "value": "0123456789abcdef0123456789abcdef01234567"}])
	all_findings(doc) == set()
}

test_dev_may_track_a_branch if {
	doc := json.patch(good, [
		{"op": "replace", "path": "/metadata/name", "value": "external-dns-dev"},
		{"op": "replace", "path": "/spec/source/path", "value": "kubernetes"},
		{"op": "replace", "path": "/spec/source/targetRevision", "value": "main"},
		{"op": "replace", "path": "/spec/destination/namespace", "value": "dns"},
	])
	all_findings(doc) == set()
}

test_prune_on_prod if {
	doc := json.patch(good, [{"op": "add", "path": "/spec/syncPolicy/automated/prune", "value": true}])
	all_findings(doc) == {"warn_prune_prod"}
}

test_destination_not_allowed if {
	doc := json.patch(good, [{"op": "replace", "path": "/spec/destination/namespace", "value": "kube-system"}])
	all_findings(doc) == {"deny_destination"}
}

test_source_repo_not_allowed if {
	doc := json.patch(good, [{"op": "replace", "path": "/spec/source/repoURL", "value": "https://github.com/someone/else.git"}])
	all_findings(doc) == {"deny_source_repo"}
}

test_missing_path if {
	doc := json.patch(good, [{"op": "replace", "path": "/spec/source/path", "value": "kubernetes/overlays/staging"}])
	all_findings(doc) == {"deny_missing_path"}
}

test_ssh_and_https_are_one_repository if {
	argocd.norm("git@git.home.arpa:homelab/infra.git") == argocd.norm("https://git.home.arpa/homelab/infra")
	argocd.norm("ssh://git@git.home.arpa:2222/homelab/infra.git") == "git.home.arpa:2222/homelab/infra"
}

test_other_repository_paths_unchecked if {
	doc := json.patch(good, [
		{"op": "replace", "path": "/spec/source/repoURL", "value": "https://git.home.arpa/homelab/charts.git"},
		{"op": "replace", "path": "/spec/source/path", "value": "not/here"},
	])
	all_findings(doc) == set()
}

test_project_not_in_repository if {
	doc := json.patch(good, [
		{"op": "replace", "path": "/spec/project", "value": "elsewhere"},
		{"op": "replace", "path": "/spec/destination/namespace", "value": "kube-system"},
	])
	all_findings(doc) == set()
}

test_applicationset_template if {
	set_doc := {
		"apiVersion": "argoproj.io/v1alpha1",
		"kind": "ApplicationSet",
		"metadata": {"name": "envs"},
		"spec": {"template": {"spec": {
			"project": "default",
			"source": {"repoURL": "https://git.home.arpa/homelab/infra.git", "path": "kubernetes/overlays/{{env}}", "targetRevision": "HEAD"},
			"destination": {"server": "https://kubernetes.default.svc", "namespace": "{{env}}"},
		}}},
	}
	all_findings(set_doc) == {"deny_default_project"}
}

test_multiple_sources if {
	doc := json.patch(good, [
		{"op": "remove", "path": "/spec/source"},
		{"op": "add", "path": "/spec/sources", "value": [
			{"repoURL": "https://grafana.github.io/helm-charts", "chart": "grafana", "targetRevision": "8.5.0"},
			{"repoURL": "https://git.home.arpa/homelab/infra.git", "path": "missing", "targetRevision": "v1"},
		]},
	])
	all_findings(doc) == {"deny_source_repo", "deny_missing_path"}
}

test_project_wildcards if {
	p := {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "open"}, "spec": {
		"sourceRepos": ["*"],
		"destinations": [{"server": "*", "namespace": "*"}],
	}}
	count(argocd.warn_project_wildcard) == 2 with input as p
}

test_project_resource_wildcards if {
	p := {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": {"name": "open"}, "spec": {
		"sourceRepos": ["https://git.home.arpa/homelab/infra.git"],
		"destinations": [{"server": "https://kubernetes.default.svc", "namespace": "apps"}],
		"clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
		"namespaceResourceWhitelist": [{"group": "*", "kind": "*"}, {"group": "apps", "kind": "Deployment"}],
	}}
	count(argocd.warn_project_wildcard) == 2 with input as p
	q := json.patch(p, [{"op": "replace", "path": "/spec/clusterResourceWhitelist", "value": [{"group": "", "kind": "Namespace"}]}])
	count(argocd.warn_project_wildcard) == 1 with input as q
}

# Issue 31, ArgoCD's own semantics (util/git NormalizeGitURL and
# AppProject's IsSourcePermitted / isDestinationMatched in argo-cd).

test_in_cluster_name_is_the_local_server if {
	doc := json.patch(good, [{"op": "replace", "path": "/spec/destination", "value": {"name": "in-cluster", "namespace": "dns"}}])
	all_findings(doc) == set()
}

test_other_cluster_name_not_allowed_by_server if {
	doc := json.patch(good, [{"op": "replace", "path": "/spec/destination", "value": {"name": "edge", "namespace": "dns"}}])
	all_findings(doc) == {"deny_destination"}
}

test_ssh_url_is_not_the_https_pattern if {
	doc := json.patch(good, [{"op": "replace", "path": "/spec/source/repoURL", "value": "git@git.home.arpa:homelab/infra.git"}])
	all_findings(doc) == {"deny_source_repo"}
}

test_argocd_url if {
	argocd.argocd_url("git@git.home.arpa:homelab/infra.git") == "git@git.home.arpa/homelab/infra"
	argocd.argocd_url("ssh://git@git.home.arpa:2222/homelab/infra.git") == "git@git.home.arpa:2222/homelab/infra"
	argocd.argocd_url(" HTTPS://Git.Home.Arpa/Homelab/Infra.git ") == "https://git.home.arpa/homelab/infra"
}

test_glob_does_not_cross_slashes if {
	p := json.patch(repo, [{"op": "replace", "path": "/argocd/projects/homelab/spec/sourceRepos", "value": ["https://git.home.arpa/*"]}])
	count(argocd.deny_source_repo) == 1 with input as good with data.plumbline as p
}

test_deny_pattern_refuses if {
	p := json.patch(repo, [{"op": "replace", "path": "/argocd/projects/homelab/spec/sourceRepos", "value": ["*", "!https://git.home.arpa/homelab/infra.git"]}])
	count(argocd.deny_source_repo) == 1 with input as good with data.plumbline as p
}

test_destination_without_namespace_allows_none if {
	p := json.patch(repo, [{"op": "replace", "path": "/argocd/projects/homelab/spec/destinations", "value": [{"server": "https://kubernetes.default.svc"}]}])
	count(argocd.deny_destination) == 1 with input as good with data.plumbline as p
}

test_destination_deny_entry if {
	p := json.patch(repo, [{"op": "replace", "path": "/argocd/projects/homelab/spec/destinations", "value": [
		{"server": "*", "namespace": "*"},
		{"server": "*", "namespace": "!dns"},
	]}])
	count(argocd.deny_destination) == 1 with input as good with data.plumbline as p
}
