-- SPDX-License-Identifier: Apache-2.0
-- sysdig chisel of the differential test (diff.py): one instance per probe. Its argument is
-- a line number of the file named by $FRC_SYSDIG_PROBES (lines "CONDITION<TAB>FORMAT"); the
-- instance prints FORMAT, exactly as `sysdig -p FORMAT CONDITION` would, for every event
-- CONDITION selects. Running every probe as a chisel of one sysdig process reads each
-- capture once instead of once per probe.
description = "frc differential test probe"
short_description = "frc probe"
category = "misc"
args = { { name = "n", description = "line of $FRC_SYSDIG_PROBES", argtype = "int" } }

local n, flt, fmt

function on_set_arg(name, val)
	n = tonumber(val)
	return true
end

function on_init()
	local i = 0
	for line in io.lines(os.getenv("FRC_SYSDIG_PROBES")) do
		i = i + 1
		if i == n then
			flt, fmt = line:match("^([^\t]*)\t(.*)$")
		end
	end
	if not flt then
		print("probe.lua: no line " .. tostring(n) .. " in $FRC_SYSDIG_PROBES")
		return false
	end
	chisel.set_filter(flt)
	chisel.set_event_formatter(fmt)
	return true
end

function on_event()
	return true
end
