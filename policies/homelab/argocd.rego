# METADATA
# title: Homelab ArgoCD applications
# description: Applications, ApplicationSets and AppProjects, checked against the rest of the repository (data.plumbline).
package homelab.argocd

import rego.v1

is_argo if startswith(input.apiVersion, "argoproj.io/")

# The application spec: an Application's, or an ApplicationSet's template
# (where a value with {{ }} is filled in per generated application).
app := {"spec": input.spec, "path": ["spec"]} if {
	is_argo
	input.kind == "Application"
}

app := {"spec": input.spec.template.spec, "path": ["spec", "template", "spec"]} if {
	is_argo
	input.kind == "ApplicationSet"
}

name := sprintf("%s/%s", [input.kind, input.metadata.name])

# Every source: spec.source and each of spec.sources, with its path.
sources contains [array.concat(app.path, ["source"]), app.spec.source] if app.spec.source

sources contains [array.concat(app.path, ["sources", i]), s] if some i, s in app.spec.sources

templated(s) if contains(s, "{{")

# Production: named, labelled or placed so (a path segment, the
# destination namespace or the app's name is prod or production).
prod_word(s) if regex.match(`(^|[-_./])prod(uction)?($|[-_./])`, lower(s))

prod if prod_word(input.metadata.name)

prod if input.metadata.labels[k] in {"prod", "production"}

prod if prod_word(app.spec.destination.namespace)

prod if {
	some [_, s] in sources
	prod_word(s.path)
}

# METADATA
# title: Applications use an AppProject of their own
# description: The default project lets an application deploy anything from anywhere to anywhere.
deny_default_project contains {"msg": msg, "path": array.concat(app.path, ["project"])} if {
	project := object.get(app.spec, "project", "default")
	project in {"default", ""}
	msg := sprintf("%s: uses the default project; give it an AppProject that limits its repositories and destinations", [name])
}

# METADATA
# title: Production deploys a pinned revision
# description: HEAD or a branch moves under a running production; pin a tag or a commit.
deny_unpinned_revision contains {"msg": msg, "path": array.concat(p, ["targetRevision"])} if {
	prod
	some [p, s] in sources
	not s.chart # a Helm chart's targetRevision is its version
	rev := object.get(s, "targetRevision", "HEAD")
	not templated(rev)
	not pinned(rev)
	msg := sprintf("%s: production tracks %q, a moving revision; pin a tag or a commit", [name, rev])
}

pinned(rev) if regex.match(`^v?[0-9]+(\.[0-9]+)*([-+][0-9A-Za-z.-]+)?$`, rev)

pinned(rev) if regex.match(`^[0-9a-f]{40}$`, rev)

# METADATA
# title: No automated prune on production
# description: With automated prune, a path renamed or a file deleted by mistake deletes live resources on the next sync.
warn_prune_prod contains {"msg": msg, "path": array.concat(app.path, ["syncPolicy", "automated", "prune"])} if {
	prod
	app.spec.syncPolicy.automated.prune == true
	msg := sprintf("%s: production syncs automatically with prune; a mistaken commit deletes live resources", [name])
}

# The application's AppProject, when the repository holds it.
project := data.plumbline.argocd.projects[app.spec.project]

# METADATA
# title: Destinations are allowed by the project
# description: ArgoCD refuses to sync an application whose destination its AppProject does not allow.
deny_destination contains {"msg": msg, "path": array.concat(app.path, ["destination"])} if {
	project # only when the repository holds the project
	d := app.spec.destination
	not templated(object.get(d, "namespace", ""))
	not templated(object.get(d, "server", object.get(d, "name", "")))
	not allowed_destination(d)
	msg := sprintf("%s: destination %s/%s is not among project %s's destinations", [
		name, object.get(d, "server", object.get(d, "name", "")), object.get(d, "namespace", ""),
		app.spec.project,
	])
}

# allowed_destination is ArgoCD's isDestinationMatched: some entry whose
# server (or name) and namespace match, and no deny entry ("!x") that
# does not. ArgoCD infers the server from a name before it checks the
# project: in-cluster is https://kubernetes.default.svc.
allowed_destination(d) if {
	some pd in project.spec.destinations
	dest_matched(pd, d)
	not denied_destination(d)
}

dest_server(d) := s if {
	s := object.get(d, "server", "")
	s != ""
} else := "https://kubernetes.default.svc" if {
	object.get(d, "name", "") == "in-cluster"
} else := ""

dest_matched(pd, d) if {
	ns_matched(pd, d)
	server_matched(pd, d)
}

dest_matched(pd, d) if {
	ns_matched(pd, d)
	name_matched(pd, d)
}

ns_matched(pd, d) if argo_glob(object.get(pd, "namespace", ""), object.get(d, "namespace", ""), [])

server_matched(pd, d) if {
	dest_server(d) != ""
	argo_glob(object.get(pd, "server", ""), dest_server(d), [])
}

name_matched(pd, d) if {
	object.get(d, "name", "") != ""
	argo_glob(object.get(pd, "name", ""), d.name, [])
}

# A deny entry that did not match refuses the destination, as in ArgoCD
# (an entry's field that is a deny pattern and did not match).
denied_destination(d) if {
	some pd in project.spec.destinations
	not dest_matched(pd, d)
	refusing_entry(pd, d)
}

refusing_entry(pd, d) if {
	startswith(object.get(pd, "name", ""), "!")
	not name_matched(pd, d)
}

refusing_entry(pd, d) if {
	startswith(object.get(pd, "server", ""), "!")
	not server_matched(pd, d)
}

refusing_entry(pd, d) if {
	startswith(object.get(pd, "namespace", ""), "!")
	not ns_matched(pd, d)
}

# argo_glob is ArgoCD's globMatch with negation: "*" matches anything,
# "!p" what p does not match, else a glob with these separators.
argo_glob("*", _, _) := true

argo_glob(p, v, seps) if {
	p != "*"
	startswith(p, "!")
	not glob.match(substring(p, 1, -1), seps, v)
}

argo_glob(p, v, seps) if {
	p != "*"
	not startswith(p, "!")
	glob.match(p, seps, v)
}

# METADATA
# title: Sources are allowed by the project
# description: ArgoCD refuses an application whose repoURL is not among its AppProject's sourceRepos.
deny_source_repo contains {"msg": msg, "path": array.concat(p, ["repoURL"])} if {
	project
	some [p, s] in sources
	not templated(s.repoURL)
	not allowed_repo(s.repoURL)
	msg := sprintf("%s: repository %s is not among project %s's sourceRepos", [name, s.repoURL, app.spec.project])
}

# allowed_repo is ArgoCD's IsSourcePermitted: both sides normalised as
# ArgoCD does (argocd_url), globs split at "/", and a deny entry ("!x")
# the URL matches refuses it whatever else allows it. An ssh and an https
# URL of one repository are different repositories to it.
allowed_repo(url) if {
	some r in project.spec.sourceRepos
	argo_glob(argocd_repo_pattern(r), argocd_url(url), ["/"])
	not denied_repo(url)
}

denied_repo(url) if {
	some r in project.spec.sourceRepos
	startswith(r, "!")
	glob.match(argocd_url(substring(r, 1, -1)), ["/"], argocd_url(url))
}

argocd_repo_pattern(r) := concat("", ["!", argocd_url(substring(r, 1, -1))]) if startswith(r, "!")

argocd_repo_pattern(r) := argocd_url(r) if not startswith(r, "!")

# argocd_url is ArgoCD's git.NormalizeGitURL: lower case, an scp-like
# user@host:path made ssh://user@host/path, .git dropped, ssh:// dropped.
argocd_url(u) := trim_prefix(trim_suffix(scp_to_ssh(lower(trim_space(u))), ".git"), "ssh://")

scp_to_ssh(s) := concat("", ["ssh://", replace_first(s, ":", "/")]) if {
	regex.match(`^(ssh://)?([^/:]*?)@[^@]+$`, s)
	not startswith(s, "ssh://")
} else := s

replace_first(s, old, new) := concat("", [substring(s, 0, i), new, substring(s, i + count(old), -1)]) if {
	i := indexof(s, old)
	i >= 0
} else := s

# norm reduces a git URL to host/path: https://h/p.git, ssh://git@h/p and
# git@h:p are one repository.
norm(u) := n if {
	s := lower(trim_suffix(trim_suffix(trim_space(u), "/"), ".git"))
	t := regex.replace(regex.replace(s, `^[a-z+]+://`, ""), `^[^@/]*@`, "")
	n := regex.replace(t, `^([^/:]+):([^0-9/])`, "$1/$2")
}

# A source in this repository: its repoURL is one of the repository's.
here(s) if {
	some u in data.plumbline.repository.urls
	norm(u) == norm(s.repoURL)
}

# METADATA
# title: Source paths exist in the repository
# description: An application whose path is not in its repository fails to sync (and a typo deploys nothing).
deny_missing_path contains {"msg": msg, "path": array.concat(p, ["path"])} if {
	some [p, s] in sources
	here(s)
	not templated(s.path)
	dir := trim_suffix(trim_prefix(trim_prefix(s.path, "./"), "/"), "/")
	not data.plumbline.repository.dirs[object.get({"": "."}, dir, dir)]
	msg := sprintf("%s: path %s does not exist in this repository", [name, s.path])
}

# METADATA
# title: Projects limit repositories and destinations
# description: A project allowing every repository or every destination limits nothing.
warn_project_wildcard contains {"msg": msg, "path": ["spec", "sourceRepos"]} if {
	is_argo
	input.kind == "AppProject"
	"*" in input.spec.sourceRepos
	msg := sprintf("AppProject/%s: allows any source repository", [input.metadata.name])
}

warn_project_wildcard contains {"msg": msg, "path": ["spec", "destinations", i]} if {
	is_argo
	input.kind == "AppProject"
	some i, d in input.spec.destinations
	object.get(d, "namespace", "*") == "*"
	object.get(d, "server", "*") == "*"
	msg := sprintf("AppProject/%s: allows any namespace on any cluster", [input.metadata.name])
}

# A resource whitelist entry of group "*" and kind "*": the project's
# applications may create any cluster-scoped (or namespaced) resource,
# ClusterRoleBindings and CRDs included.
warn_project_wildcard contains {"msg": msg, "path": ["spec", field, i]} if {
	is_argo
	input.kind == "AppProject"
	some field in ["clusterResourceWhitelist", "namespaceResourceWhitelist"]
	some i, r in object.get(input.spec, field, [])
	object.get(r, "group", "") == "*"
	object.get(r, "kind", "") == "*"
	what := {"clusterResourceWhitelist": "any cluster-scoped resource (ClusterRoleBindings, CRDs, namespaces)", "namespaceResourceWhitelist": "any namespaced resource"}[field]
	msg := sprintf("AppProject/%s: %s allows %s; list the groups and kinds its applications deploy", [input.metadata.name, field, what])
}
