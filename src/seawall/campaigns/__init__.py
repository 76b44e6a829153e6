"""Campaigns: messages grouped by shared content and infrastructure, waves in time, targets."""
