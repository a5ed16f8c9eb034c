package tektoncheck

import (
	"slices"

	pipelinev1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	pipelinev1beta1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1beta1"
	triggersv1alpha1 "github.com/tektoncd/triggers/pkg/apis/triggers/v1alpha1"
	triggersv1beta1 "github.com/tektoncd/triggers/pkg/apis/triggers/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
)

// kinds maps apiVersion/kind to a fresh object of that type. Anything else
// in our YAML directories is an error: a typo in apiVersion would otherwise
// skip validation silently.
var kinds = map[string]func() any{
	"tekton.dev/v1/Task":                                func() any { return &pipelinev1.Task{} },
	"tekton.dev/v1/Pipeline":                            func() any { return &pipelinev1.Pipeline{} },
	"tekton.dev/v1/PipelineRun":                         func() any { return &pipelinev1.PipelineRun{} },
	"tekton.dev/v1/TaskRun":                             func() any { return &pipelinev1.TaskRun{} },
	"tekton.dev/v1beta1/StepAction":                     func() any { return &pipelinev1beta1.StepAction{} },
	"triggers.tekton.dev/v1beta1/EventListener":         func() any { return &triggersv1beta1.EventListener{} },
	"triggers.tekton.dev/v1beta1/TriggerBinding":        func() any { return &triggersv1beta1.TriggerBinding{} },
	"triggers.tekton.dev/v1beta1/ClusterTriggerBinding": func() any { return &triggersv1beta1.ClusterTriggerBinding{} },
	"triggers.tekton.dev/v1beta1/TriggerTemplate":       func() any { return &triggersv1beta1.TriggerTemplate{} },
	"triggers.tekton.dev/v1beta1/Trigger":               func() any { return &triggersv1beta1.Trigger{} },
	"triggers.tekton.dev/v1alpha1/Interceptor":          func() any { return &triggersv1alpha1.Interceptor{} },
	"triggers.tekton.dev/v1alpha1/ClusterInterceptor":   func() any { return &triggersv1alpha1.ClusterInterceptor{} },
	"apps/v1/Deployment":                                func() any { return &appsv1.Deployment{} },
	"v1/ServiceAccount":                                 func() any { return &corev1.ServiceAccount{} },
	"v1/Secret":                                         func() any { return &corev1.Secret{} },
	"v1/ConfigMap":                                      func() any { return &corev1.ConfigMap{} },
	"v1/PersistentVolumeClaim":                          func() any { return &corev1.PersistentVolumeClaim{} },
	"batch/v1/CronJob":                                  func() any { return &batchv1.CronJob{} },
	"v1/Service":                                        func() any { return &corev1.Service{} },
	"rbac.authorization.k8s.io/v1/Role":                 func() any { return &rbacv1.Role{} },
	"rbac.authorization.k8s.io/v1/RoleBinding":          func() any { return &rbacv1.RoleBinding{} },
	"rbac.authorization.k8s.io/v1/ClusterRole":          func() any { return &rbacv1.ClusterRole{} },
	"rbac.authorization.k8s.io/v1/ClusterRoleBinding":   func() any { return &rbacv1.ClusterRoleBinding{} },
}

func knownKinds() []string {
	var ks []string
	for k := range kinds {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
