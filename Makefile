# The one test command: the README's quick start and .ci/run both call `make test`.
GO ?= go
# jsii (aws-cdk-go) silences its end-of-life banner only for the Node major version named here.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION ?= $(shell node -p 'process.versions.node.split(".")[0]' 2>/dev/null)

.PHONY: test test-go test-race test-infra vet build lambda bench

test: vet test-go test-race test-infra

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

# These tests compare measured latencies or scaled-time lab runs with the
# published medians or with predictions (the lab's end-to-end check, the
# probe against curl, the plan's predicted cold share against the lab's
# logs, the coverage scenario, the origin's drain under load); they run on
# their own after the rest,
# because tests of other packages beside them on a 2-core machine make
# timers fire late.
TIMING = ^(TestLabQuickReproducesSeed|TestAgreesWithCurl|TestTrafficLogsPredictColdShare|TestTrafficLogsPredictConnections|TestCoverageScenario|TestSchedulerScenario|TestSIGTERMDrainUnderKeepAliveLoad|TestDrain|TestKeepAliveSearch|TestOriginIdleTrap|TestHostsFileFeedsPlanAndWarm|TestDoctorHostsFileFeedsWarmAndPlan)$$

test-go:
	$(GO) test -count=1 -skip '$(TIMING)' ./...
	$(GO) test -count=1 -p 1 -run '$(TIMING)' ./cmd/cfprewarm ./probe ./lab ./origin ./cmd/current-time-app ./doctor

# The packages that send, serve and read concurrently, once more under the
# race detector.
RACE = ./probe ./warm ./pace ./edgehosts ./accesslog ./internal/loopback/... ./doctor ./warm/promexport

test-race:
	$(GO) test -count=1 -race -skip '$(TIMING)' $(RACE)

test-infra:
	@if [ -f infra/go.mod ]; then cd infra && $(GO) vet ./... && $(GO) test -count=1 ./...; fi

build:
	$(GO) build -o bin/ ./cmd/...

# The prewarm Lambda for provided.al2023 on arm64.
lambda:
	mkdir -p bin/lambda
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -trimpath -o bin/lambda/bootstrap ./cmd/prewarm-lambda

# OCI images of current-time-app and the cfprewarm daemon for linux/arm64 and
# linux/amd64, without Docker or a network: one OCI image layout per program
# in $(IMAGE_OUT)/<program> (docs/deploying.md, "Building images without Docker").
.PHONY: image
IMAGE_OUT ?= dist/image
image:
	$(GO) run ./cmd/ociimage build --go $(GO) --out $(IMAGE_OUT)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
