package main

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"fmt"
	"os"

	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/plumbline/plumbline/internal/tektonsig"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"sigs.k8s.io/yaml"
)

// SignatureAnnotation is where Tekton's trusted resources look for a
// Task's or Pipeline's signature.
const SignatureAnnotation = tektonsig.Annotation

// LoadSigner reads a cosign (or plain PEM) private key; an encrypted one's
// password is COSIGN_PASSWORD.
func LoadSigner(keyFile string) (signature.Signer, error) {
	s, err := signature.LoadSignerFromPEMFile(keyFile, crypto.SHA256, func(bool) ([]byte, error) {
		return []byte(os.Getenv("COSIGN_PASSWORD")), nil
	})
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", keyFile, err)
	}
	return s, nil
}

// signYAML adds the signature Tekton's trusted resources verify to a Task
// or Pipeline: over the object's own Checksum (Tekton's code) of the object
// as the controller verifies it — decoded from what the resolver fetched,
// then defaulted (SetDefaults), without this annotation — so a
// VerificationPolicy holding the public key accepts exactly this content.
// Tekton verifies Tasks and Pipelines a resolver fetched; StepActions are
// not verified (v1.9), so they are left unsigned.
func signYAML(kind string, text []byte, signer signature.Signer) ([]byte, error) {
	var sum []byte
	var err error
	switch kind {
	case "task":
		var t pipelinev1.Task
		if err = yaml.Unmarshal(text, &t); err == nil {
			t.SetDefaults(context.Background())
			sum, err = tektonsig.Checksum("Task", &t.ObjectMeta, t.Spec)
		}
	case "pipeline":
		var p pipelinev1.Pipeline
		if err = yaml.Unmarshal(text, &p); err == nil {
			p.SetDefaults(context.Background())
			sum, err = tektonsig.Checksum("Pipeline", &p.ObjectMeta, p.Spec)
		}
	default:
		return text, nil
	}
	if err != nil {
		return nil, err
	}
	sig, err := signer.SignMessage(bytes.NewReader(sum))
	if err != nil {
		return nil, err
	}
	return addAnnotations(text, fmt.Sprintf("    %s: %s\n", SignatureAnnotation, base64.StdEncoding.EncodeToString(sig)))
}
