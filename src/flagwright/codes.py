"""The stable diagnostic codes. A code never changes meaning; retired codes are not reused."""

from __future__ import annotations

from enum import Enum, StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Code(Enum):
    """Each member: (code, default severity, short title)."""

    # Reading files
    YAML_SYNTAX = ("FW001", Severity.ERROR, "YAML syntax error")
    DUPLICATE_KEY = ("FW002", Severity.ERROR, "duplicate key in a mapping")
    ENCODING = ("FW003", Severity.ERROR, "file is not UTF-8")
    FILE_TOO_LARGE = ("FW004", Severity.ERROR, "file exceeds the size limit")
    ALIAS_LIMIT = ("FW005", Severity.ERROR, "alias expansion exceeds the limit")
    TOO_DEEP = ("FW006", Severity.ERROR, "nesting exceeds the depth limit")
    UNSUPPORTED_TAG = ("FW007", Severity.ERROR, "unsupported YAML tag")
    MISSING_KIND = ("FW008", Severity.ERROR, "document has no kind")
    UNKNOWN_KIND = ("FW009", Severity.ERROR, "unknown kind")
    NOT_A_MAPPING = ("FW010", Severity.ERROR, "document is not a mapping")
    UNREADABLE = ("FW011", Severity.ERROR, "file cannot be read")
    # Structure of one document
    UNKNOWN_KEY = ("FW101", Severity.ERROR, "unknown key")
    MISSING_KEY = ("FW102", Severity.ERROR, "required key missing")
    WRONG_TYPE = ("FW103", Severity.ERROR, "value has the wrong type")
    INVALID_VALUE = ("FW104", Severity.ERROR, "invalid value")
    INVALID_NAME = ("FW105", Severity.ERROR, "invalid name")
    INVALID_DURATION = ("FW106", Severity.ERROR, "invalid duration")
    INVALID_PERCENT = ("FW107", Severity.ERROR, "invalid percentage")
    INVALID_TIME = ("FW108", Severity.ERROR, "invalid time")
    ONE_OF = ("FW109", Severity.ERROR, "exactly one of several keys required")
    FLAG_KEY_CASE_CLASH = ("FW120", Severity.ERROR, "flag keys differ only in case")
    # Meaning across documents
    DUPLICATE_NAME = ("FW201", Severity.ERROR, "name defined twice")
    UNKNOWN_SEGMENT = ("FW202", Severity.ERROR, "unknown segment")
    UNKNOWN_PLAN = ("FW203", Severity.ERROR, "unknown rollout plan")
    UNKNOWN_VARIANT = ("FW204", Severity.ERROR, "unknown variant")
    UNKNOWN_ENVIRONMENT = ("FW205", Severity.ERROR, "unknown environment")
    UNKNOWN_APP = ("FW206", Severity.ERROR, "unknown app")
    UNKNOWN_FLAG = ("FW207", Severity.ERROR, "unknown flag")
    SPLIT_SUM = ("FW208", Severity.ERROR, "split weights do not sum to 100")
    VARIANT_TYPE = ("FW211", Severity.ERROR, "variant value does not match the flag type")
    DEFAULT_NOT_VARIANT = ("FW212", Severity.ERROR, "default is not a variant")
    UNREACHABLE_RULE = ("FW213", Severity.WARNING, "rule can never match")
    BAD_REGEX = ("FW214", Severity.ERROR, "regular expression does not compile")
    BAD_SEMVER = ("FW215", Severity.ERROR, "version does not parse as semver")
    UNKNOWN_TIMEZONE = ("FW216", Severity.ERROR, "unknown time zone")
    BAD_SCHEDULE = ("FW217", Severity.ERROR, "malformed schedule")
    STAGES_NOT_INCREASING = ("FW218", Severity.ERROR, "plan stages do not strictly increase")
    STAGE_WITHOUT_HOLD = ("FW219", Severity.ERROR, "plan stage has no hold")
    PROMOTION_CYCLE = ("FW220", Severity.ERROR, "promotion chain has a cycle")
    PROMOTION_ROOTS = ("FW221", Severity.ERROR, "promotion chain does not have one root")
    REQUIRES_CYCLE = ("FW222", Severity.ERROR, "prerequisites form a cycle")
    SEGMENT_CYCLE = ("FW223", Severity.ERROR, "segments refer to each other in a cycle")
    STALE_FLAG = ("FW224", Severity.WARNING, "flag is past its expiry date")
    STAGE_OUT_OF_RANGE = ("FW226", Severity.ERROR, "rollout stage does not exist in the plan")
    EMPTY_TIME_WINDOW = ("FW227", Severity.ERROR, "time window is empty")
    REPOSITORY_COUNT = ("FW228", Severity.ERROR, "exactly one Repository document required")
    OPERATOR_VALUE = ("FW229", Severity.ERROR, "value does not suit the operator")
    UNUSED_PATTERN = ("FW231", Severity.WARNING, "app flag pattern matches no flag")
    USELESS_ROLLOUT = ("FW232", Severity.WARNING, "rollout variant is the default")
    UNSELECTED_FLAG = ("FW240", Severity.WARNING, "no app selects the flag")
    SLOW_REGEX = ("FW250", Severity.ERROR, "regular expression can take super-linear time")
    REGEX_CONSTRUCT = ("FW251", Severity.ERROR, "regular expression uses a refused construct")
    # Deployments and their gates (Argo Rollouts)
    UNKNOWN_QUERY = ("FW260", Severity.ERROR, "gate names a query the environment does not define")
    QUERY_UNDEFINED_NAME = ("FW261", Severity.ERROR, "metric query template uses an unknown name")
    QUERY_SANDBOX = ("FW262", Severity.ERROR, "metric query template breaks the sandbox")
    QUERY_TEMPLATE_ERROR = ("FW263", Severity.ERROR, "metric query template does not render")
    PROMQL_SYNTAX = ("FW264", Severity.ERROR, "metric query is not valid PromQL")
    PROMQL_UNCHECKED = ("FW265", Severity.WARNING, "PromQL not checked: promtool is not installed")
    DEPLOY_ACTIVE = ("FW266", Severity.WARNING, "deploy 'active' slot is obsolete")
    DEPLOY_SERVICES = ("FW267", Severity.ERROR, "deploy services are not two distinct names")
    DEPLOY_REPLICAS = (
        "FW268",
        Severity.WARNING,
        "blue-green or canary deploy has no replica count",
    )
    # Environments with clusters
    DESTINATION_OR_CLUSTERS = ("FW290", Severity.ERROR, "needs argocd.destination or clusters")
    SAME_DESTINATION = ("FW291", Severity.ERROR, "two clusters share an Argo CD destination")
    CLUSTER_LABEL_KEYS = ("FW292", Severity.ERROR, "clusters' label keys differ")
    RESERVED_LABEL = ("FW293", Severity.ERROR, "cluster label uses a reserved prefix")
    OVERRIDE_NOT_ALLOWED = ("FW294", Severity.ERROR, "flag may not differ per cluster here")
    OVERRIDES_WITHOUT_CLUSTERS = ("FW295", Severity.ERROR, "cluster overrides without clusters")
    UNUSED_OVERRIDE_PATTERN = ("FW296", Severity.WARNING, "override pattern matches no flag")
    APP_NOT_DEPLOYED = ("FW297", Severity.ERROR, "cluster values for an app not deployed")
    # Rendering (flagwright render)
    TEMPLATE_UNDEFINED = ("FW301", Severity.ERROR, "value template uses an undefined name")
    TEMPLATE_SANDBOX = ("FW302", Severity.ERROR, "value template breaks the sandbox")
    TEMPLATE_ERROR = ("FW303", Severity.ERROR, "value template does not render")
    MANIFEST_SCHEMA = ("FW304", Severity.ERROR, "rendered manifest fails its schema")
    ARGOCD_RULE = ("FW305", Severity.ERROR, "rendered Application breaks an Argo CD rule")
    K8S_NAME = ("FW306", Severity.ERROR, "generated name or label value is not valid")
    CONFIGMAP_TOO_LARGE = ("FW307", Severity.ERROR, "flag ConfigMap exceeds 1 MiB")
    CONFIGMAP_LARGE = ("FW308", Severity.WARNING, "flag ConfigMap exceeds 256 KiB")
    DUPLICATE_RESOURCE = ("FW309", Severity.ERROR, "two rendered objects share a name")
    NO_SCHEMA = ("FW310", Severity.ERROR, "no schema for a rendered kind")
    EXPORT_OMITTED = ("FW311", Severity.WARNING, "flag not expressible in an export")
    EXPORT_SCHEMA = ("FW312", Severity.ERROR, "export fails its upstream schema")
    EXPORT_OMITTED_UNREAD = ("FW320", Severity.WARNING, "export no app reads leaves out flags")
    ROLLOUTS_RULE = ("FW330", Severity.ERROR, "rendered Rollout breaks an Argo Rollouts rule")
    CLUSTER_TEMPLATE_TEXT = ("FW340", Severity.ERROR, "configured text reads as a Go template")
    # Change policies, given a base revision (validate --base)
    ROLLOUT_STEP = ("FW401", Severity.ERROR, "rollout grows more than max_rollout_step")
    NOT_PROMOTED = ("FW402", Severity.ERROR, "not yet served as broadly where it promotes from")
    FROZEN = ("FW403", Severity.ERROR, "change inside a freeze window")
    TYPE_CHANGED = ("FW404", Severity.ERROR, "flag type changed")
    REMOVED_WHILE_SERVED = ("FW405", Severity.ERROR, "flag removed while still served")
    VALUE_NOT_PROMOTED = ("FW406", Severity.ERROR, "value not yet where it promotes from")
    APP_REMOVED = ("FW407", Severity.ERROR, "app removed from an environment")
    BUCKETING_CHANGED = ("FW420", Severity.ERROR, "bucketing rule changed without acknowledgement")
    # Importing other formats (flagwright import); an error means the flag was not written
    IMPORT_SYNTAX = ("FW501", Severity.ERROR, "import source is not valid JSON")
    IMPORT_FORMAT = ("FW502", Severity.ERROR, "import source does not have the expected shape")
    IMPORT_NAME = ("FW503", Severity.ERROR, "imported name is not a valid flagwright name")
    IMPORT_OPERATOR = ("FW504", Severity.ERROR, "targeting construct has no flagwright equivalent")
    IMPORT_BUCKETING = ("FW505", Severity.ERROR, "percentage split cannot be imported exactly")
    IMPORT_DISABLED = ("FW506", Severity.ERROR, "disabled flagd flag has no flagwright equivalent")
    IMPORT_NO_DEFAULT = ("FW507", Severity.ERROR, "flag has no default variant")
    IMPORT_SEMVER = ("FW508", Severity.ERROR, "version comparison cannot be imported exactly")
    IMPORT_REFERENCE = ("FW509", Severity.ERROR, "reference to something that cannot be imported")
    IMPORT_FILTER = ("FW510", Severity.ERROR, "feature filter cannot be imported exactly")
    IMPORT_NOT_CARRIED = ("FW511", Severity.WARNING, "information flagwright does not keep")
    IMPORT_VARIANTS = ("FW512", Severity.ERROR, "variants cannot be imported")
    IMPORT_INVALID = ("FW513", Severity.ERROR, "imported flag would not be a valid document")
    IMPORT_KEY_CASE = ("FW520", Severity.ERROR, "imported flag key differs only in case")
    IMPORT_BUCKETING_RULE = ("FW521", Severity.WARNING, "imported file uses another bucketing rule")

    def __init__(self, code: str, severity: Severity, title: str) -> None:
        self.code = code
        self.severity = severity
        self.title = title

    def __str__(self) -> str:
        return self.code
