package kube

import (
	"fmt"
	"regexp"
	"strconv"
)

// Release is a Kubernetes minor release, 1.31.
type Release struct{ Major, Minor int }

func (r Release) String() string { return fmt.Sprintf("%d.%d", r.Major, r.Minor) }

// Before orders releases.
func (r Release) Before(o Release) bool {
	return r.Major < o.Major || r.Major == o.Major && r.Minor < o.Minor
}

var releaseRE = regexp.MustCompile(`^v?([0-9]+)\.([0-9]+)(?:\.[0-9]+)?(?:[-+][0-9A-Za-z.+-]*)?$`)

// ParseRelease reads a Kubernetes version as people write it: 1.31,
// v1.31.4, v1.31.4+k3s1 (K3s), 1.30.2-eks-1 (its minor is what counts).
func ParseRelease(s string) (Release, error) {
	m := releaseRE.FindStringSubmatch(s)
	if m == nil {
		return Release{}, fmt.Errorf("%q is not a Kubernetes version (want 1.31, v1.31.4 or v1.31.4+k3s1)", s)
	}
	major, err1 := strconv.Atoi(m[1])
	minor, err2 := strconv.Atoi(m[2])
	if err1 != nil || err2 != nil || major != 1 {
		return Release{}, fmt.Errorf("%q is not a Kubernetes 1.x version", s)
	}
	return Release{major, minor}, nil
}

// Lifecycle is when Kubernetes deprecated and removes a built-in API
// version of a kind, as k8s.io/api's types declare it
// (APILifecycleDeprecated, APILifecycleRemoved; lifecycle_table.go is
// written from them by TestLifecycleTable -update).
type Lifecycle struct {
	Deprecated, Removed Release
}

// LifecycleOf is the lifecycle of apiVersion's kind, if it has one.
func LifecycleOf(apiVersion, kind string) (Lifecycle, bool) {
	l, ok := lifecycles[apiVersion+"/"+kind]
	if !ok {
		l, ok = lifecyclesGone[apiVersion+"/"+kind]
	}
	return l, ok
}

// lifecyclesGone are kinds removed long enough ago that k8s.io/api no
// longer has their types, from Kubernetes' deprecated API migration guide,
// and those k8s.io/api dropped between v0.32 and v0.37 (as its v0.32
// types declared them): still met in repositories.
var lifecyclesGone = map[string]Lifecycle{
	"policy/v1beta1/PodSecurityPolicy":                             {Release{1, 21}, Release{1, 25}},
	"extensions/v1beta1/PodSecurityPolicy":                         {Release{1, 11}, Release{1, 16}},
	"autoscaling/v2beta1/HorizontalPodAutoscaler":                  {Release{1, 22}, Release{1, 25}},
	"autoscaling/v2beta1/HorizontalPodAutoscalerList":              {Release{1, 22}, Release{1, 25}},
	"autoscaling/v2beta2/HorizontalPodAutoscaler":                  {Release{1, 23}, Release{1, 26}},
	"autoscaling/v2beta2/HorizontalPodAutoscalerList":              {Release{1, 22}, Release{1, 25}},
	"networking.k8s.io/v1alpha1/IPAddress":                         {Release{1, 30}, Release{1, 33}},
	"networking.k8s.io/v1alpha1/IPAddressList":                     {Release{1, 30}, Release{1, 33}},
	"networking.k8s.io/v1alpha1/ServiceCIDR":                       {Release{1, 30}, Release{1, 33}},
	"networking.k8s.io/v1alpha1/ServiceCIDRList":                   {Release{1, 30}, Release{1, 33}},
	"resource.k8s.io/v1alpha3/DeviceClass":                         {Release{1, 34}, Release{1, 37}},
	"resource.k8s.io/v1alpha3/DeviceClassList":                     {Release{1, 34}, Release{1, 37}},
	"resource.k8s.io/v1alpha3/ResourceClaim":                       {Release{1, 34}, Release{1, 37}},
	"resource.k8s.io/v1alpha3/ResourceClaimList":                   {Release{1, 34}, Release{1, 37}},
	"resource.k8s.io/v1alpha3/ResourceClaimTemplate":               {Release{1, 34}, Release{1, 37}},
	"resource.k8s.io/v1alpha3/ResourceClaimTemplateList":           {Release{1, 34}, Release{1, 37}},
	"resource.k8s.io/v1alpha3/ResourceSlice":                       {Release{1, 34}, Release{1, 37}},
	"resource.k8s.io/v1alpha3/ResourceSliceList":                   {Release{1, 34}, Release{1, 37}},
	"storagemigration.k8s.io/v1alpha1/StorageVersionMigration":     {Release{1, 33}, Release{1, 36}},
	"storagemigration.k8s.io/v1alpha1/StorageVersionMigrationList": {Release{1, 33}, Release{1, 36}},
}
