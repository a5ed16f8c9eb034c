package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	"github.com/sigstore/sigstore/pkg/signature"
	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// SignatureAnnotation is where Tekton's trusted resources look for a
// Task's or Pipeline's signature.
const SignatureAnnotation = "tekton.dev/signature"

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
			sum, err = checksumOf("Task", &t.ObjectMeta, t.Spec)
		}
	case "pipeline":
		var p pipelinev1.Pipeline
		if err = yaml.Unmarshal(text, &p); err == nil {
			p.SetDefaults(context.Background())
			sum, err = checksumOf("Pipeline", &p.ObjectMeta, p.Spec)
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

// checksumOf is Tekton v1.9.0's Task.Checksum and Pipeline.Checksum (the
// sha256 of the JSON of kind, apiVersion, checksum.PrepareObjectMeta's
// metadata and the spec) as the controller computes it: its
// k8s.io/apimachinery writes an unset creationTimestamp as null, which
// the v0.37 this module builds with (for Helm) leaves out, so Tekton's own
// method here would sign other bytes than the controller verifies.
func checksumOf(kind string, meta *metav1.ObjectMeta, spec any) ([]byte, error) {
	// Tekton's internal checksum.PrepareObjectMeta: what the system and
	// kubectl add, and the signature itself, are not signed.
	ann := map[string]string{}
	for k, v := range meta.Annotations {
		ann[k] = v
	}
	for _, k := range []string{"kubectl-client-side-apply", "kubectl.kubernetes.io/last-applied-configuration", SignatureAnnotation} {
		delete(ann, k)
	}
	type objectMeta struct {
		Name              string            `json:"name,omitempty"`
		GenerateName      string            `json:"generateName,omitempty"`
		Namespace         string            `json:"namespace,omitempty"`
		CreationTimestamp *struct{}         `json:"creationTimestamp"`
		Labels            map[string]string `json:"labels,omitempty"`
		Annotations       map[string]string `json:"annotations,omitempty"`
	}
	obj := struct {
		Kind       string     `json:"kind"`
		APIVersion string     `json:"apiVersion"`
		Metadata   objectMeta `json:"metadata"`
		Spec       any        `json:"spec"`
	}{kind, "tekton.dev/v1", objectMeta{Name: meta.Name, GenerateName: meta.GenerateName, Namespace: meta.Namespace,
		Labels: meta.Labels, Annotations: ann}, spec}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	return sum[:], nil
}
