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
FUZZTIME ?= 30s
BENCHTIME ?= 3x

.PHONY: build test demo lint bench tools deps fuzz clean

## build: every image binary into bin/, static and version-stamped like ko builds them
build:
	@mkdir -p bin
	@for img in $(IMAGES); do \
		echo "build bin/$$img"; \
		CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/$$img ./images/$$img || exit 1; \
	done

## test: lint, then every Go test (unit, golden, txtar CLI scripts, Tekton validation)
test: deps lint $(TOOLS_BIN)/conftest
	$(GO) test -count=1 ./...

## demo: build, run every check on examples/homelab, merge with report
demo: build
	./hack/demo.sh

## lint: gofmt, go vet, and our YAML checks (Tekton's own validation)
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run ./hack/yamlcheck .

## bench: benchmarks in bench/
bench: $(TOOLS_BIN)/conftest
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./bench/...

## fuzz: run each fuzz target for FUZZTIME
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./pkg/report
	$(GO) test -run '^$$' -fuzz '^FuzzStaticRules$$' -fuzztime $(FUZZTIME) ./pkg/terraform
	$(GO) test -run '^$$' -fuzz '^FuzzParseINI$$' -fuzztime $(FUZZTIME) ./pkg/ansiblelint
	$(GO) test -run '^$$' -fuzz '^FuzzRequirements$$' -fuzztime $(FUZZTIME) ./pkg/ansiblelint
	$(GO) test -run '^$$' -fuzz '^FuzzZoneFile$$' -fuzztime $(FUZZTIME) ./pkg/dnszone
	$(GO) test -run '^$$' -fuzz '^FuzzYAML$$' -fuzztime $(FUZZTIME) ./pkg/dnszone
	for f in FuzzYAML FuzzJSON FuzzHCL2 FuzzINI FuzzDotenv FuzzTOML FuzzZone; do \
		$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) ./pkg/policy/parser || exit 1; done

## tools: ko, crane and conftest at pinned versions into build/tools
tools:
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/google/ko@$(KO_VERSION)
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/google/go-containerregistry/cmd/crane@$(CRANE_VERSION)
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/open-policy-agent/conftest@$(CONFTEST_VERSION)

# conftest is the reference policy-check's tests and benchmark compare with
# (a few minutes to build from empty caches, once).
$(TOOLS_BIN)/conftest:
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/open-policy-agent/conftest@$(CONFTEST_VERSION)

deps:
	@./hack/deps.sh

clean:
	rm -rf bin build .demo
