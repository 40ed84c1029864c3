-- Argo CD health for configguard.io/ConfigPolicy and ClusterConfigPolicy:
-- Healthy when the policy compiled (Ready=True), Degraded with the compile error otherwise.
local hs = {}
if obj.status == nil or obj.status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the configguard operator to compile the policy"
  return hs
end
local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and observed ~= nil and observed < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" then
    if c.status == "True" then
      hs.status = "Healthy"
      hs.message = c.message or "Policy is enforced"
    elseif c.status == "False" then
      hs.status = "Degraded"
      hs.message = c.message or c.reason or "Policy does not compile"
    else
      hs.status = "Progressing"
      hs.message = c.message or "Policy is being compiled"
    end
    return hs
  end
end
hs.status = "Progressing"
hs.message = "Waiting for the Ready condition"
return hs
