"""Security policy (等保 2.0 三级 身份鉴别): each a configurable rule with its source."""

from dangjian.core.rules import register

from .roles import Role

GROUP = "安全策略"
SOURCE = "GB/T 22239-2019 8.1.4.1 身份鉴别"

register("security.password_min_length", "密码最短长度", 8, kind="int", group=GROUP, source=SOURCE,
         minimum=8, maximum=64)
register("security.password_min_classes", "密码至少包含的字符类别数（大写、小写、数字、符号）", 3, kind="int",
         group=GROUP, source=SOURCE, minimum=1, maximum=4,
         help="OWASP ASVS 5.0 不建议强制组合规则；等保测评通常要求三类以上，故默认 3，可改为 1。")
register("security.password_max_age_days", "密码最长使用天数（0 表示不强制定期更换）", 90, kind="int", group=GROUP,
         source=SOURCE, minimum=0, maximum=3650,
         help="OWASP ASVS 5.0 不建议强制定期更换；等保测评通常要求定期更换，故默认 90 天。")
register("security.login_max_failures", "连续登录失败锁定次数", 5, kind="int", group=GROUP, source=SOURCE,
         minimum=3, maximum=20)
register("security.lockout_minutes", "登录锁定时长（分钟）", 15, kind="int", group=GROUP, source=SOURCE,
         minimum=1, maximum=1440)
register("security.session_idle_minutes", "会话空闲超时（分钟）", 30, kind="int", group=GROUP, source=SOURCE,
         minimum=5, maximum=480)
register("security.session_absolute_hours", "会话最长有效期（小时）", 12, kind="int", group=GROUP, source=SOURCE,
         minimum=1, maximum=24)
register("security.totp_required_roles", "必须启用动态口令（第二因素）的角色",
         [Role.SYSADMIN.label, Role.SECURITY_ADMIN.label, Role.AUDIT_ADMIN.label], kind="choices", group=GROUP,
         source="GB/T 22239-2019 8.1.4.1 d) 双因素鉴别", options=[label for _, label in Role.choices])
register("security.api_token_days", "接口令牌有效期（天）", 180, kind="int", group=GROUP,
         source="GB/T 22239-2019 8.1.4.1 身份鉴别", minimum=1, maximum=730,
         help="令牌到期后不能再调用接口，须重新生成；已签发的令牌按签发时的有效期计算。")
