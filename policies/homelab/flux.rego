# METADATA
# title: Homelab Flux
# description: Flux Kustomizations, GitRepositories, OCIRepositories and HelmReleases, checked as the ArgoCD rules check Applications (issue 33).
package homelab.flux

import rego.v1

# Production and repository URLs mean what they mean for ArgoCD.
import data.homelab.argocd

is_flux if regex.match(`^(source|kustomize|helm)\.toolkit\.fluxcd\.io/`, input.apiVersion)

name := sprintf("%s/%s", [input.kind, input.metadata.name])

# Production: named, labelled or placed so (the object's name, a label,
# its Kustomization's path or HelmRelease's target namespace, the file or
# the kustomization overlay it is in), as for ArgoCD.
prod if argocd.prod_word(input.metadata.name)

prod if input.metadata.labels[_] in {"prod", "production"}

prod if argocd.prod_word(object.get(input.spec, "path", ""))

prod if argocd.prod_word(object.get(input.spec, "targetNamespace", ""))

prod if argocd.prod_word(data.plumbline.input.file)

prod if argocd.prod_word(data.plumbline.input.overlay)

# The repository's own source: the GitRepository bootstrap made
# (flux-system), or one whose URL is this repository's. Tracking a branch
# there is the GitOps model (merging deploys), not a moving target.
own_source(gr) if gr.metadata.name == "flux-system"

own_source(gr) if {
	some u in data.plumbline.repository.urls
	argocd.norm(u) == argocd.norm(gr.spec.url)
}

# METADATA
# title: Production follows no branch of another repository
# description: A GitRepository of another repository on a branch; what production runs changes whenever someone pushes there. A warning, since a tenant's own repository follows a branch by design.
warn_branch_ref contains {"msg": msg, "path": ["spec", "ref"]} if {
	is_flux
	input.kind == "GitRepository"
	prod
	not own_source(input)
	ref := object.get(input.spec, "ref", {})
	not ref.tag
	not ref.semver
	not ref.commit
	not startswith(object.get(ref, "name", ""), "refs/tags/")
	branch := object.get(ref, "branch", "master")
	msg := sprintf("%s: production tracks branch %s of %s, a moving revision; pin a tag, semver range of tags or commit", [name, branch, input.spec.url])
}

# METADATA
# title: Production artifacts are pinned
# description: An OCIRepository on latest or no tag, or a HelmRelease chart with no version or any version; what production runs changes under it.
deny_unpinned_ref contains {"msg": msg, "path": ["spec", "ref"]} if {
	is_flux
	input.kind == "OCIRepository"
	prod
	ref := object.get(input.spec, "ref", {})
	not ref.digest
	not ref.semver
	tag := object.get(ref, "tag", "latest")
	tag == "latest"
	msg := sprintf("%s: production follows %s:latest; pin a digest, a version tag or a semver range", [name, input.spec.url])
}

deny_unpinned_ref contains {"msg": msg, "path": ["spec", "chart", "spec", "version"]} if {
	is_flux
	input.kind == "HelmRelease"
	prod
	c := input.spec.chart.spec
	v := object.get(c, "version", "*")
	v in {"*", "", "latest", ">=0.0.0"}
	msg := sprintf("%s: production installs whatever version of chart %s is newest; set chart.spec.version", [name, c.chart])
}

# The GitRepository a Kustomization reads from, when it is this
# repository's.
here(k) if {
	object.get(k.spec.sourceRef, "kind", "") == "GitRepository"
	k.spec.sourceRef.name == "flux-system"
}

here(k) if {
	object.get(k.spec.sourceRef, "kind", "") == "GitRepository"
	gr := data.plumbline.flux.gitrepositories[k.spec.sourceRef.name]
	own_source(gr)
}

# METADATA
# title: Kustomization paths exist in the repository
# description: A Kustomization whose path is not in its repository fails to reconcile ("kustomization path not found"), and a typo deploys nothing.
deny_missing_path contains {"msg": msg, "path": ["spec", "path"]} if {
	is_flux
	input.kind == "Kustomization"
	here(input)
	p := object.get(input.spec, "path", "./")
	not contains(p, "${")
	dir := trim_suffix(trim_prefix(trim_prefix(p, "./"), "/"), "/")
	not data.plumbline.repository.dirs[object.get({"": "."}, dir, dir)]
	msg := sprintf("%s: path %s does not exist in this repository", [name, p])
}

# METADATA
# title: No prune on production without review
# description: With prune, a path renamed or a file deleted by mistake deletes live resources on the next reconcile.
warn_prune_prod contains {"msg": msg, "path": ["spec", "prune"]} if {
	is_flux
	input.kind == "Kustomization"
	prod
	# flux bootstrap writes flux-system's with prune and rewrites it.
	input.metadata.name != "flux-system"
	input.spec.prune == true
	msg := sprintf("%s: production reconciles with prune; a mistaken commit deletes live resources", [name])
}
