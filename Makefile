# Plumbline. On a fresh machine: `make demo` runs every check on the bundled
# example, `make test` runs the tests (installing what they need).
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
MODULE := github.com/plumbline/plumbline
LDFLAGS := -s -w -X $(MODULE)/pkg/version.Version=$(VERSION)
IMAGES := $(notdir $(patsubst %/,%,$(dir $(wildcard images/*/main.go))))
TOOLS_BIN := $(CURDIR)/build/tools
KO_VERSION := v0.18.1
CRANE_VERSION := v0.22.1
CONFTEST_VERSION := v0.71.1
GITEA_VERSION := v1.26.0
COSIGN_VERSION := v2.6.5
ACTIONLINT_VERSION := v1.7.12
# The kustomize CLI at the release whose API policy-check renders with
# (sigs.k8s.io/kustomize/api v0.21.2): the oracle its tests compare with.
KUSTOMIZE_VERSION := v5.8.2
# The helm CLI at the release whose engine policy-check renders charts with
# (helm.sh/helm/v4 in go.mod): pkg/helm's oracle.
HELM_VERSION := v4.3.2
# tflint: the oracle of terraform/unused-declaration (TestUnusedAsTflint).
TFLINT_VERSION := v0.55.0
# kubeconform is the second oracle of k8s/schema (pkg/kube's tests).
KUBECONFORM_VERSION := v0.7.0
# The Prometheus Pushgateway report pushes the metrics to (pkg/notify).
PUSHGATEWAY_VERSION := v1.11.5
# OpenTofu: terraform-validate's and terraform-plan's tests also run
# against it when make tofu has built it (hack/tofu.sh: about five minutes
# from empty caches, so not part of make tools: CI's clean-clone budget).
TOFU_VERSION := v1.12.6
KO := $(TOOLS_BIN)/ko
# Images: both platforms, an SBOM, the version stamped; the tool images'
# bases carry their tool. KO_CONFIG_PATH is where .ko.yaml is read (the
# image tests point it at a copy whose bases are built locally).
PLATFORMS ?= linux/amd64,linux/arm64
# The tool images are those .ko.yaml gives a base of their own, but for
# policy-check: its base (git-init) has both platforms wherever it is built.
TOOL_IMAGES := $(filter-out policy-check,$(shell sed -n 's|^  $(MODULE)/images/\([a-z0-9-]*\):.*|\1|p' .ko.yaml))
TOOL_PLATFORMS ?= $(PLATFORMS)
STATIC_IMAGES := $(filter-out $(TOOL_IMAGES),$(IMAGES))
KO_CONFIG_PATH ?= $(CURDIR)
IMAGE_REFS ?= $(CURDIR)/build/images.txt
CATALOG ?= $(CURDIR)/catalog
FUZZTIME ?= 30s
BENCHTIME ?= 3x

.PHONY: build test demo lint generate bench zones tools deps fuzz clean images catalog bundles e2e install uninstall release release-key dist

## build: every image binary and the plumbline command into bin/, static and version-stamped like ko builds them
build:
	@mkdir -p bin
	@for main in $(IMAGES:%=images/%) cmd/plumbline; do \
		echo "build bin/$$(basename $$main)"; \
		CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/$$(basename $$main) ./$$main || exit 1; \
	done

## test: lint, then every Go test (unit, golden, txtar CLI scripts, Tekton validation)
# hack/deps.sh installs what the tests need (as root, as in CI); then no test
# may skip. Where it cannot (not root), it says which tests skip, and they do.
test: lint tools
	@rc=0; ./hack/deps.sh || rc=$$?; \
		case $$rc in 0) all=1 ;; 3) all= ;; *) exit $$rc ;; esac; \
		echo "PLUMBLINE_NEED_ALL=$$all $(GO) test -count=1 ./..."; \
		PLUMBLINE_NEED_ALL=$$all $(GO) test -count=1 ./...

## demo: build, then plumbline check on examples/homelab (its .plumbline.yaml), and the same checks as the pipeline runs them
demo: build
	./hack/demo.sh

## release: images, catalog and bundles of VERSION (X.Y), each image and bundle signed with cosign (COSIGN_KEY, else keyless), provenance and SBOM attested, notes in build/release/VERSION (docs/release.md)
release: $(KO) $(TOOLS_BIN)/crane $(TOOLS_BIN)/cosign
	VERSION=$(VERSION) KO_DOCKER_REPO=$(KO_DOCKER_REPO) IMAGE_REFS=$(IMAGE_REFS) CATALOG=$(CATALOG) ./hack/release.sh

## release-key: a cosign key pair for signing releases: keys/cosign.pub (commit it) and keys/cosign.key (keep it out of git; COSIGN_PASSWORD encrypts it)
release-key: $(TOOLS_BIN)/cosign
	@test ! -e keys/cosign.key || { echo "release-key: keys/cosign.key exists"; exit 2; }
	mkdir -p keys && cd keys && $(TOOLS_BIN)/cosign generate-key-pair

## install: everything onto the cluster of the current kubeconfig, into NAMESPACE (default plumbline): with KO_DOCKER_REPO ko pushes there, else (INSTALL_MODE=import) the images go into the node's containerd (CTR, default k3s ctr or ctr); INSTALL_GITEA=1 adds Gitea; SCHEDULE_REPO=URL adds the drift check of that repository on a schedule (SCHEDULE, default hourly; SCHEDULE_REVISION, default main)
# Every variable is passed on as it is; the tool's defaults apply to empty ones.
INSTALL_ENV = NAMESPACE="$(NAMESPACE)" INSTALL_MODE="$(INSTALL_MODE)" CTR="$(CTR)" PLATFORM="$(PLATFORM)" \
	KO_DOCKER_REPO="$(KO_DOCKER_REPO)" VERSION="$(VERSION)" INSTALL_GITEA="$(INSTALL_GITEA)" \
	SCHEDULE_REPO="$(SCHEDULE_REPO)" SCHEDULE_REVISION="$(SCHEDULE_REVISION)" SCHEDULE="$(SCHEDULE)"
install: $(KO)
	$(INSTALL_ENV) $(GO) run ./hack/install install

## dist: one archive per platform of VERSION (X.Y) into build/dist: the plumbline CLI and check binaries, the images as an OCI layout, the YAML by digest and an installer needing only kubectl and ctr (docs/install.md)
DIST_PLATFORMS ?= linux/amd64,linux/arm64
dist: $(KO)
	VERSION=$(VERSION) $(GO) run ./hack/install -version $(VERSION) -platform $(DIST_PLATFORMS) -out $(CURDIR)/build/dist dist

## uninstall: removes what make install created in NAMESPACE (and the namespace, if install made it), nothing else
uninstall:
	$(INSTALL_ENV) $(GO) run ./hack/install uninstall

## images: ko builds and pushes every image to KO_DOCKER_REPO (REPO/<name>); their refs go to IMAGE_REFS
# Every image runs as 65532 whatever its base says (hashicorp/terraform says
# root): the Tasks only ask for runAsNonRoot, so a platform may assign a UID.
images: $(KO)
	@test -n "$(KO_DOCKER_REPO)" || { echo "images: set KO_DOCKER_REPO, e.g. ghcr.io/you/plumbline"; exit 2; }
	@mkdir -p $(dir $(IMAGE_REFS))
	cd $(CURDIR) && VERSION=$(VERSION) KO_CONFIG_PATH=$(KO_CONFIG_PATH) $(KO) build -B --sbom=spdx --image-user=65532 \
		--platform=$(PLATFORMS) --image-refs=$(IMAGE_REFS).static $(STATIC_IMAGES:%=./images/%)
	cd $(CURDIR) && VERSION=$(VERSION) KO_CONFIG_PATH=$(KO_CONFIG_PATH) $(KO) build -B --sbom=spdx --image-user=65532 \
		--platform=$(TOOL_PLATFORMS) --image-refs=$(IMAGE_REFS).tools $(TOOL_IMAGES:%=./images/%)
	cat $(IMAGE_REFS).static $(IMAGE_REFS).tools > $(IMAGE_REFS) && rm $(IMAGE_REFS).static $(IMAGE_REFS).tools

## catalog: catalog/<kind>/<name>/VERSION/ (VERSION=X.Y) pinned to the images of the last make images; with COSIGN_KEY each Task and Pipeline is signed for Tekton trusted resources
catalog:
	$(GO) run ./hack/catalog generate -version $(VERSION) -refs $(IMAGE_REFS) -out $(CATALOG) $(if $(COSIGN_KEY),-key $(COSIGN_KEY))
	$(GO) run ./hack/catalog check -out $(CATALOG)

## bundles: one Tekton bundle per catalog item of VERSION, pushed to KO_DOCKER_REPO/bundles/<name>:VERSION
bundles:
	@test -n "$(KO_DOCKER_REPO)" || { echo "bundles: set KO_DOCKER_REPO"; exit 2; }
	$(GO) run ./hack/catalog bundles -version $(VERSION) -repo $(KO_DOCKER_REPO) -out $(CATALOG)

$(KO):
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/google/ko@$(KO_VERSION)

$(TOOLS_BIN)/crane:
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/google/go-containerregistry/cmd/crane@$(CRANE_VERSION)

CRD_MODULES = github.com/tektoncd/pipeline github.com/tektoncd/triggers

## generate: tasks/validate.yaml and tasks/dns-preview.yaml from hack/onepod/onepod.yaml and stepactions/
generate:
	$(GO) run ./hack/onepod

## lint: gofmt, go vet, no large files in git, the one-pod Tasks as generated, our YAML checks (Tekton's own validation), the catalog check
lint: $(TOOLS_BIN)/actionlint
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@# Every clone downloads every tracked file: over 1 MiB is a build output
	@# committed by mistake, unless it is test data.
	@big=$$(git ls-files -z 2>/dev/null | xargs -0 -r stat -c '%s %n' | awk '$$1 > 1048576 && $$2 !~ /(^|\/)testdata\// {print $$2}'); \
		if [ -n "$$big" ]; then echo "tracked files over 1 MiB (build outputs? test data belongs under testdata/):"; echo "$$big"; exit 1; fi
	$(GO) vet ./...
	$(GO) run ./hack/onepod -check
	@# The CRD schemas' modules are found once for both checks
	@# (hack/tektoncheck's crdModules; TestMakefileCRDModules keeps them one list).
	@crds="$$($(GO) list -m -f '{{.Dir}}' $(CRD_MODULES))" && \
		echo "$(GO) run ./hack/yamlcheck . && $(GO) run ./hack/catalog check" && \
		PLUMBLINE_CRD_DIRS="$$crds" $(GO) run ./hack/yamlcheck . && \
		PLUMBLINE_CRD_DIRS="$$crds" $(GO) run ./hack/catalog check
	$(TOOLS_BIN)/actionlint .github/workflows/*.yaml

## e2e: a real Kubernetes and Tekton on loopback, every Task run on it, then torn down (root; docs/e2e.md)
e2e: $(KO) $(TOOLS_BIN)/crane $(TOOLS_BIN)/gitea
	@./hack/deps.sh e2e
	./test/e2e/e2e.sh

## zones: the 1,000-zone differential harness alone (test/corpus/zones against named-checkzone, named-compilezone and ldns-compare-zones; docs/dns-format.md), with its counts; make test runs it too
zones: deps
	$(GO) test -count=1 -run 'TestZonesAsBIND' -v ./test/corpus

## bench: benchmarks in bench/
bench: $(TOOLS_BIN)/conftest $(TOOLS_BIN)/kustomize $(TOOLS_BIN)/helm
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./bench/...

## fuzz: run every fuzz target of the module (each func FuzzX in a _test.go) for FUZZTIME
# The targets are found, not listed: a new parser's fuzz test runs here as soon as it exists.
fuzz:
	@git grep -n '^func Fuzz[A-Za-z0-9_]*(' -- '*_test.go' | sed -E 's|^([^:]*)/[^/:]*:[0-9]+:func (Fuzz[A-Za-z0-9_]*)\(.*|./\1 \2|' | sort -u | \
		while read -r dir target; do \
			echo "== $$dir $$target"; \
			$(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) "$$dir" || exit 1; \
		done

## tools: ko, crane, conftest, cosign, actionlint, kustomize, helm, kubeconform, tflint, pushgateway and Gitea at pinned versions into build/tools (each once)
tools: $(KO) $(TOOLS_BIN)/crane $(TOOLS_BIN)/conftest $(TOOLS_BIN)/cosign $(TOOLS_BIN)/actionlint $(TOOLS_BIN)/kustomize $(TOOLS_BIN)/helm $(TOOLS_BIN)/kubeconform $(TOOLS_BIN)/gitea $(TOOLS_BIN)/tflint $(TOOLS_BIN)/pushgateway

# cosign signs and verifies releases (make release; test/images verifies
# with it); a few minutes to build from empty caches, once.
$(TOOLS_BIN)/cosign:
	GOBIN=$(TOOLS_BIN) CGO_ENABLED=0 $(GO) install github.com/sigstore/cosign/v2/cmd/cosign@$(COSIGN_VERSION)

$(TOOLS_BIN)/actionlint:
	GOBIN=$(TOOLS_BIN) CGO_ENABLED=0 $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

$(TOOLS_BIN)/kustomize:
	GOBIN=$(TOOLS_BIN) CGO_ENABLED=0 $(GO) install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

$(TOOLS_BIN)/helm:
	GOBIN=$(TOOLS_BIN) CGO_ENABLED=0 $(GO) install helm.sh/helm/v4/cmd/helm@$(HELM_VERSION)

$(TOOLS_BIN)/tflint:
	GOBIN=$(TOOLS_BIN) CGO_ENABLED=0 $(GO) install github.com/terraform-linters/tflint@$(TFLINT_VERSION)

## tofu: OpenTofu TOFU_VERSION into build/tools from the module proxy; make test then runs terraform-plan's tests against it too
tofu: $(TOOLS_BIN)/tofu

$(TOOLS_BIN)/tofu:
	./hack/tofu.sh $(TOOLS_BIN)/tofu $(TOFU_VERSION)

$(TOOLS_BIN)/pushgateway:
	GOBIN=$(TOOLS_BIN) CGO_ENABLED=0 $(GO) install github.com/prometheus/pushgateway@$(PUSHGATEWAY_VERSION)

$(TOOLS_BIN)/kubeconform:
	GOBIN=$(TOOLS_BIN) CGO_ENABLED=0 $(GO) install github.com/yannh/kubeconform/cmd/kubeconform@$(KUBECONFORM_VERSION)

# Gitea is the forge report's Gitea/Forgejo notifier is tested against.
$(TOOLS_BIN)/gitea:
	./hack/gitea.sh $(TOOLS_BIN) $(GITEA_VERSION)

# conftest is the reference policy-check's tests and benchmark compare with
# (a few minutes to build from empty caches, once).
$(TOOLS_BIN)/conftest:
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/open-policy-agent/conftest@$(CONFTEST_VERSION)

deps:
	@rc=0; ./hack/deps.sh || rc=$$?; [ $$rc = 0 ] || [ $$rc = 3 ]

clean:
	rm -rf bin build .demo
