/* SPDX-License-Identifier: Apache-2.0
 *
 * Version numbers. FRC_ENGINE_VERSION is the Falco engine version whose rules language
 * frc implements (checked against required_engine_version).
 */
#ifndef FRC_RUNTIME_VERSION_H
#define FRC_RUNTIME_VERSION_H

#define FRC_VERSION "0.1.0"
#define FRC_ENGINE_VERSION "0.63.0"
#define FRC_ENGINE_VERSION_MAJOR 0
#define FRC_ENGINE_VERSION_MINOR 63
#define FRC_ENGINE_VERSION_PATCH 0

#endif
