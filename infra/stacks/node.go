package stacks

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/jsii-runtime-go"
)

// MinNodeMajor is the oldest Node.js major version the AWS CDK supports:
// its guide asks for 22.x or later, and support for 20 ended in October
// 2026, six months after Node.js 20's end of life.
const MinNodeMajor = 22

// silenceEOLVariable is the comma-separated list of Node.js major versions
// for which jsii (the bridge aws-cdk-go talks to the CDK through) does not
// print its end-of-life banner.
const silenceEOLVariable = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"

// QuietNodeEndOfLife keeps jsii's 11-line end-of-life banner out of the
// app's and the tests' output when the Node.js that runs the CDK (JSII_NODE,
// or node on the PATH) is older than MinNodeMajor: it adds that major
// version to JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION, which the
// Node.js side of jsii reads when it starts. Call it before the first CDK
// call. It returns one line saying which Node.js runs and what the CDK
// supports, or "" when Node.js is recent enough or its version cannot be
// read (then jsii speaks for itself).
func QuietNodeEndOfLife() string {
	node := os.Getenv("JSII_NODE")
	if node == "" {
		node = "node"
	}
	out, err := exec.Command(node, "-p", "process.versions.node").Output()
	if err != nil {
		return ""
	}
	version := strings.TrimSpace(string(out))
	major, err := strconv.Atoi(strings.SplitN(version, ".", 2)[0])
	if err != nil || major >= MinNodeMajor {
		return ""
	}
	list := os.Getenv(silenceEOLVariable)
	if !slices.Contains(strings.Split(list, ","), strconv.Itoa(major)) {
		if list != "" {
			list += ","
		}
		os.Setenv(silenceEOLVariable, list+strconv.Itoa(major))
		// jsii prepares its Node.js process, with a copy of the
		// environment, while Go initializes the CDK packages (before main
		// or TestMain); it starts it at the first CDK call. Closing the
		// client discards that process unstarted, and the first call
		// prepares a new one with the environment set above.
		jsii.Close()
	}
	return fmt.Sprintf("note: Node.js %s is past the AWS CDK's support (Node.js %d or later; 24 recommended, see README)", version, MinNodeMajor)
}
