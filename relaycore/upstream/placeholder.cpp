// SPDX-License-Identifier: GPL-3.0-or-later
// Placeholder so the module library exists before its first source lands; delete when the module has real sources.
