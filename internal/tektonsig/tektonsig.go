// Package tektonsig is the signature of a Task or Pipeline as Tekton
// v1.9.0's controller checks it (trusted resources): the bytes it
// checksums, and the check itself. The catalog signs with it; tests verify
// with it, since Tekton's own code built with this module's k8s.io v0.37
// checksums other bytes than the controller does.
package tektonsig

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Annotation holds a Task's or Pipeline's signature.
const Annotation = "tekton.dev/signature"

// Checksum is Tekton v1.9.0's Task.Checksum and Pipeline.Checksum (the
// sha256 of the JSON of kind, apiVersion, checksum.PrepareObjectMeta's
// metadata and the spec) as the controller computes it: its
// k8s.io/apimachinery writes an unset creationTimestamp as null, which
// the v0.37 this module builds with (for Helm) leaves out, so Tekton's own
// method here would sign other bytes than the controller verifies.
func Checksum(kind string, meta *metav1.ObjectMeta, spec any) ([]byte, error) {
	// Tekton's internal checksum.PrepareObjectMeta: what the system and
	// kubectl add, and the signature itself, are not signed.
	ann := map[string]string{}
	for k, v := range meta.Annotations {
		ann[k] = v
	}
	for _, k := range []string{"kubectl-client-side-apply", "kubectl.kubernetes.io/last-applied-configuration", Annotation} {
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

// Verify checks the signature in meta's annotation over Checksum against
// the PEM public key, as the controller's VerificationPolicy does.
func Verify(kind string, meta *metav1.ObjectMeta, spec any, publicKeyPEM []byte) error {
	block, _ := pem.Decode(publicKeyPEM)
	if block == nil {
		return errors.New("no PEM public key")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return err
	}
	key, ok := k.(*ecdsa.PublicKey)
	if !ok {
		return errors.New("not an ECDSA key")
	}
	sig, err := base64.StdEncoding.DecodeString(meta.Annotations[Annotation])
	if err != nil {
		return err
	}
	sum, err := Checksum(kind, meta, spec)
	if err != nil {
		return err
	}
	h := sha256.Sum256(sum)
	if !ecdsa.VerifyASN1(key, h[:], sig) {
		return errors.New("the signature does not verify")
	}
	return nil
}
