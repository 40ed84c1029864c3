-- Argo CD health for configguard.io/GuardedRollout.
-- Progressing: Pending, Validating, Progressing (or the operator has not seen the newest spec)
-- Suspended:   Paused, Frozen
-- Healthy:     Succeeded
-- Degraded:    RolledBack, Aborted, Failed, Conflict, or the circuit breaker is open
local hs = {}

local function condition(kind)
  if obj.status ~= nil and obj.status.conditions ~= nil then
    for _, c in ipairs(obj.status.conditions) do
      if c.type == kind then
        return c
      end
    end
  end
  return nil
end

if obj.status == nil or obj.status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the configguard operator"
  return hs
end

local generation = obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and observed ~= nil and observed < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end

local phase = obj.status.phase
local steps = 0
if obj.spec ~= nil and obj.spec.strategy ~= nil and obj.spec.strategy.steps ~= nil then
  steps = #obj.spec.strategy.steps
end

local parts = { phase }
if obj.status.currentStep ~= nil and steps > 0 and (phase == "Progressing" or phase == "Paused" or phase == "Frozen") then
  table.insert(parts, "step " .. obj.status.currentStep .. "/" .. steps)
end
if obj.status.stableRevision ~= nil then
  table.insert(parts, "stable r" .. obj.status.stableRevision)
end
if obj.status.candidateRevision ~= nil and obj.status.candidateRevision ~= obj.status.stableRevision then
  table.insert(parts, "candidate r" .. obj.status.candidateRevision)
end
local message = table.concat(parts, ", ")
if obj.status.message ~= nil and obj.status.message ~= "" then
  message = message .. ": " .. obj.status.message
end

local degraded = condition("Degraded")
if degraded ~= nil and degraded.status == "True" and degraded.reason == "CircuitOpen" then
  hs.status = "Degraded"
  hs.message = message .. " (circuit open: " .. (degraded.message or "too many failed revisions") .. ")"
  return hs
end

if phase == "Succeeded" then
  hs.status = "Healthy"
elseif phase == "Paused" or phase == "Frozen" then
  hs.status = "Suspended"
elseif phase == "RolledBack" or phase == "Aborted" or phase == "Failed" or phase == "Conflict" then
  hs.status = "Degraded"
else
  hs.status = "Progressing"
end
hs.message = message
return hs
